import { RecordingProvider } from './lib/recording-provider.ts';
import { sleep, until } from './lib/redis.ts';
import { type BenchResult, goal, tableOf } from './lib/report.ts';
import { addJobs, type Rig, withRig } from './lib/scaler.ts';
import { mean, percentile, ratio, seconds } from './lib/stats.ts';

const firstJobRuns = 20;
const stepRuns = 5;
const tickMs = 1_000;
/** Jobs queued before the step; the step adds nine times as many (10× the load). */
const stepBase = 60;
/** No create for this long means the scaler has requested all it wants. */
const quietMs = 4_000;

/** Published intervals of the peers; their reaction is modelled, not measured (see the text). */
const baselines = [
  {
    name: 'KEDA (30 s polling)',
    intervalMs: 30_000,
    /** The HPA's default scale-up: at most double (or +4 pods) per 15 s period. */
    extraStepMs: (before: number, after: number) => hpaPeriods(before, after) * 15_000,
  },
  { name: 'Judoscale (10 s reporting)', intervalMs: 10_000, extraStepMs: () => 0 },
];

/** Periods after the first the HPA needs from `before` to `after` pods. */
function hpaPeriods(before: number, after: number): number {
  let pods = Math.max(1, before);
  let periods = 0;
  while (pods < after) {
    pods += Math.max(pods, 4);
    periods++;
  }
  return Math.max(0, periods - 1);
}

interface FirstJob {
  decidedMs: number;
  createdMs: number;
}

/** A job arrives at a random point of the tick cycle, as real jobs do. */
async function firstJobRun(url: string): Promise<FirstJob> {
  const provider = new RecordingProvider();
  return withRig(url, 'reaction', { provider }, async ({ scaler, queue }) => {
    let requestedAtMs: number | undefined;
    scaler.on('server.requested', () => {
      requestedAtMs ??= Date.now();
    });
    await scaler.start();
    await sleep(tickMs + Math.random() * tickMs);
    const addedAtMs = Date.now();
    await queue.add('job', {});
    await until('the first create call', () => provider.calls.length > 0, 30_000);
    const createdAtMs = provider.calls[0]?.atMs ?? Number.NaN;
    return { decidedMs: (requestedAtMs ?? Number.NaN) - addedAtMs, createdMs: createdAtMs - addedAtMs };
  });
}

interface Step {
  before: number;
  after: number;
  fullFleetMs: number;
  createCalls: number;
}

/** Waits for create calls beyond the first `seen`, then for the scaler to stop making them. */
async function settled(provider: RecordingProvider, seen: number): Promise<void> {
  await until(
    'the scaler to stop creating',
    () => provider.calls.length > seen && Date.now() - (provider.calls.at(-1)?.atMs ?? 0) > quietMs,
    120_000,
  );
}

async function stepRun(url: string): Promise<Step> {
  const provider = new RecordingProvider();
  return withRig(url, 'reaction-step', { provider }, async ({ scaler, queue }: Rig) => {
    await addJobs(queue, stepBase);
    await scaler.start();
    await settled(provider, 0);
    const before = provider.created;
    const callsBefore = provider.calls.length;
    await sleep(Math.random() * tickMs);
    const stepAtMs = Date.now();
    await addJobs(queue, stepBase * 9);
    await settled(provider, callsBefore);
    const last = provider.calls.at(-1)?.atMs ?? Number.NaN;
    return {
      before,
      after: provider.created,
      fullFleetMs: last - stepAtMs,
      createCalls: provider.calls.length - callsBefore,
    };
  });
}

export async function reactionBench(url: string): Promise<BenchResult> {
  const first: FirstJob[] = [];
  for (let i = 0; i < firstJobRuns; i++) first.push(await firstJobRun(url));
  console.log(
    `reaction: first create p50 ${seconds(
      percentile(
        first.map((r) => r.createdMs),
        50,
      ),
    )}`,
  );
  const steps: Step[] = [];
  for (let i = 0; i < stepRuns; i++) steps.push(await stepRun(url));
  console.log(
    `reaction: step p50 ${seconds(
      percentile(
        steps.map((s) => s.fullFleetMs),
        50,
      ),
    )}`,
  );
  return report(first, steps);
}

function stepSummary(oursMs: number, before: number, after: number): string[] {
  const models = baselines.map((b) => modelled(b.intervalMs, b.extraStepMs(before, after)).p50);
  return [
    `10× load step (${before} → ${after} servers) → full fleet requested (p50)`,
    seconds(oursMs),
    baselines.map((b, i) => `${b.name.split(' ')[0]} ${seconds(models[i] ?? Number.NaN)}`).join(', '),
    models.map((m) => ratio(oursMs, m)).join(', '),
  ];
}

/** A poller sees a change after a uniformly random part of its interval: mean and p50 ½, p95 0.95, worst 1. */
function modelled(intervalMs: number, extraMs = 0) {
  return { p50: intervalMs / 2 + extraMs, p95: intervalMs * 0.95 + extraMs, worst: intervalMs + extraMs };
}

function report(first: FirstJob[], steps: Step[]): BenchResult {
  const created = first.map((r) => r.createdMs);
  const decided = first.map((r) => r.decidedMs);
  const stepMs = steps.map((s) => s.fullFleetMs);
  const ours = { p50: percentile(created, 50), p95: percentile(created, 95), worst: Math.max(...created) };
  const before = percentile(
    steps.map((st) => st.before),
    50,
  );
  const after = percentile(
    steps.map((st) => st.after),
    50,
  );
  const stepOurs = { p50: percentile(stepMs, 50), p95: percentile(stepMs, 95), worst: Math.max(...stepMs) };
  const rows = [
    [
      '**ours**, first job → first create call',
      seconds(ours.p50),
      seconds(ours.p95),
      seconds(ours.worst),
      '—',
    ],
    [
      'ours, first job → server requested (tick decided)',
      seconds(percentile(decided, 50)),
      seconds(percentile(decided, 95)),
      seconds(Math.max(...decided)),
      '—',
    ],
    [
      '**ours**, 10× step → full fleet requested',
      seconds(stepOurs.p50),
      seconds(stepOurs.p95),
      seconds(stepOurs.worst),
      '—',
    ],
    ...baselines.map((b) => {
      const m = modelled(b.intervalMs);
      return [
        `${b.name}, first job, modelled`,
        seconds(m.p50),
        seconds(m.p95),
        seconds(m.worst),
        `ours ${ratio(ours.p50, m.p50)} (p50), ${ratio(ours.p95, m.p95)} (p95)`,
      ];
    }),
    ...baselines.map((b) => {
      const m = modelled(b.intervalMs, b.extraStepMs(before, after));
      return [
        `${b.name}, ${before} → ${after} step, modelled`,
        seconds(m.p50),
        seconds(m.p95),
        seconds(m.worst),
        `ours ${ratio(stepOurs.p50, m.p50)} (p50), ${ratio(stepOurs.p95, m.p95)} (p95)`,
      ];
    }),
  ];
  const stepRows = steps.map((s, i) => [
    `${i + 1}`,
    `${s.before} → ${s.after}`,
    `${s.createCalls}`,
    seconds(s.fullFleetMs),
  ]);
  const [keda, judo] = baselines.map((b) => modelled(b.intervalMs));
  return {
    title: 'Reaction time',
    summary: [
      [
        'first job → first create call (p95)',
        seconds(ours.p95),
        `KEDA ${seconds(keda?.p95 ?? Number.NaN)}, Judoscale ${seconds(judo?.p95 ?? Number.NaN)}`,
        `${ratio(ours.p95, keda?.p95 ?? Number.NaN)}, ${ratio(ours.p95, judo?.p95 ?? Number.NaN)}`,
      ],
      stepSummary(stepOurs.p50, before, after),
    ],
    markdown: [
      `Real Redis, the scaler at its default tick (${tickMs} ms) and default pool settings (maxStepUp 10), with an ` +
        'injected recording provider that timestamps each create call and creates nothing, so the figures are the ' +
        "scaler's own reaction with no cloud latency in them (the create call itself is the end point). The path is " +
        "the real one: tick → decision → fleet record → a job on the provisioning queue → the provisioner's " +
        `worker → provider.create(). ${firstJobRuns} runs from zero servers, each adding one job at a random point ` +
        `of the tick cycle; ${stepRuns} runs of a load step: ${stepBase} jobs queued and their servers requested, then ` +
        `${stepBase * 9} more at once (10× the backlog); "full fleet requested" is the last create call before ` +
        `${quietMs / 1000} s without any.`,
      '',
      'Baselines are a model, not a measurement: a poller that samples every T seconds sees a new job after a ' +
        'uniformly random wait in [0, T], so its p50 is T/2, its p95 0.95 T and its worst case T, before it even ' +
        "asks for a server. For the step, KEDA's model adds the HPA's default scale-up rate (at most double, or " +
        '+4 pods, per 15 s period: every period after the first adds 15 s) and leaves out its sync period; ' +
        'Judoscale is assumed to jump to its target at once, which flatters it. Our own figures follow the same ' +
        'model with T = 1 s, plus the time a tick and the provisioning hop take.',
      '',
      ...tableOf(['what', 'p50', 'p95', 'worst', 'ratio'], rows),
      '',
      `Load steps (mean ${seconds(mean(stepMs))}; maxStepUp 10 servers per tick is what paces a large step):`,
      '',
      ...tableOf(['run', 'servers', 'create calls', 'full fleet requested after'], stepRows),
    ],
    goals: [
      goal(
        ours.p95 <= 1_500,
        `first create call ≤ 1.5 s p95 after the first job: p95 ${seconds(ours.p95)} (p50 ${seconds(ours.p50)}, worst ${seconds(ours.worst)})`,
      ),
    ],
  };
}
