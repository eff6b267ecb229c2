import { ownerTagOf } from '../providers/provider.ts';
import { doProvider, doProviderConfig, kindOf, type StampedRequest, TimedFake } from './lib/digitalocean.ts';
import { startHeartbeats } from './lib/heartbeats.ts';
import { sleep, until } from './lib/redis.ts';
import { type BenchResult, goal, tableOf } from './lib/report.ts';
import { addJobs, benchCluster, withRig } from './lib/scaler.ts';
import { ms, peakInWindow, ratio, seconds } from './lib/stats.ts';

const fleet = 200;
const bigFleet = 1_000;
/** DigitalOcean's own limit per token; the provider's client-side default is 200. */
const apiLimitPerMinute = 250;
/** Pages DigitalOcean returns when per_page is not given. */
const defaultPerPage = 20;
const holdSeconds = Number(process.env.BENCH_HOLD_SECONDS ?? 60);
/** Ready transitions and the first reconcile after the ramp happen here, outside the measured hold. */
const settleMs = 5_000;

interface Ramp {
  ramp: StampedRequest[];
  hold: StampedRequest[];
  allRequestedMs: number;
  allCreatedMs: number;
}

/** The whole scaler against the fake: a backlog that wants 200 servers, then that fleet held steady. */
async function rampAndHold(url: string): Promise<Ramp> {
  const api = await new TimedFake(2 * fleet).start();
  const provider = doProvider(api.fake, benchCluster);
  const options = {
    provider,
    providerConfig: doProviderConfig(api.fake.url),
    // Minute-long jobs: a 1,000-job backlog then needs far more than 200 servers, so desired sits at the cap.
    pool: { slotsPerServer: 1, defaultRuntimeMs: 60_000, maxServers: fleet },
    maxServersTotal: fleet,
  };
  try {
    return await withRig(url, 'control-plane', options, async ({ scaler, queue, prefix }) => {
      await addJobs(queue, 1_000);
      const beats = await startHeartbeats(url, prefix, benchCluster);
      let requested = 0;
      let allRequestedAtMs = Number.NaN;
      scaler.on('server.requested', () => {
        if (++requested === fleet) allRequestedAtMs = Date.now();
      });
      try {
        const startMs = Date.now();
        await scaler.start();
        await until(`${fleet} droplets`, () => api.fake.droplets.size >= fleet, 300_000);
        const ramp = api.between(startMs, Date.now() + 1);
        await sleep(settleMs);
        const holdFromMs = Date.now();
        await sleep(holdSeconds * 1_000);
        const lastCreate = ramp.filter((r) => r.method === 'POST').at(-1)?.atMs ?? Number.NaN;
        return {
          ramp,
          hold: api.between(holdFromMs, Date.now()),
          allRequestedMs: allRequestedAtMs - startMs,
          allCreatedMs: lastCreate - startMs,
        };
      } finally {
        await beats.stop();
      }
    });
  } finally {
    await api.close();
  }
}

/** provider.list() over 1,000 tagged droplets, as the reconciler calls it. */
async function listAtScale(): Promise<{ gets: number; elapsedMs: number }> {
  const api = await new TimedFake(2 * bigFleet).start();
  const owner = ownerTagOf(benchCluster);
  for (let i = 0; i < bigFleet; i++) api.fake.seed(`${benchCluster}-main-${i + 1}`, [owner]);
  const provider = doProvider(api.fake, benchCluster);
  try {
    await provider.list(owner); // loads @digitalocean/dots, which is not what is measured
    const before = api.fake.requests.length;
    const began = performance.now();
    await provider.list(owner);
    return { gets: api.fake.requests.length - before, elapsedMs: performance.now() - began };
  } finally {
    await provider.close();
    await api.close();
  }
}

function byKind(requests: StampedRequest[]): string {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(kindOf(r), (counts.get(kindOf(r)) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${n} × ${kind}`).join(', ') || 'none';
}

export async function controlPlaneBench(url: string): Promise<BenchResult> {
  const run = await rampAndHold(url);
  console.log(
    `control plane: ${fleet} droplets, ${run.ramp.length} requests in ${seconds(run.allCreatedMs)}`,
  );
  const list = await listAtScale();
  console.log(`control plane: list of ${bigFleet} droplets in ${list.gets} GETs`);
  return report(run, list);
}

function report(run: Ramp, list: { gets: number; elapsedMs: number }): BenchResult {
  const creates = run.ramp.filter((r) => r.method === 'POST' && r.path === '/v2/droplets').length;
  const all = [...run.ramp, ...run.hold];
  const peak = peakInWindow(
    all.map((r) => r.atMs),
    60_000,
  );
  const holdPerMinute = run.hold.length / (holdSeconds / 60);
  const naiveListGets = Math.ceil(bigFleet / defaultPerPage);
  const rows = [
    [`0 → ${fleet}: create calls`, `${creates}`, `${fleet} (one per droplet)`, ratio(creates, fleet)],
    [`0 → ${fleet}: all requests`, `${run.ramp.length}`, '—', '—'],
    [`0 → ${fleet}: all servers requested by the scaler`, seconds(run.allRequestedMs), '—', '—'],
    [`0 → ${fleet}: last create call answered`, seconds(run.allCreatedMs), '—', '—'],
    [
      'peak requests in any 60 s',
      `${peak}`,
      `${apiLimitPerMinute} (DigitalOcean's limit)`,
      ratio(peak, apiLimitPerMinute),
    ],
    [
      `reconcile list of ${bigFleet} droplets`,
      `${list.gets} GETs, ${ms(list.elapsedMs, 0)}`,
      `${naiveListGets} GETs at per_page ${defaultPerPage}`,
      ratio(list.gets, naiveListGets),
    ],
    [
      `stable fleet of ${fleet}: requests per minute`,
      holdPerMinute.toFixed(1),
      '10 (goal)',
      ratio(holdPerMinute, 10),
    ],
  ];
  return {
    title: 'Control plane at scale',
    summary: [
      [`0 → ${fleet} servers: create calls`, `${creates}`, `${fleet} unbatched`, ratio(creates, fleet)],
      [
        'peak DigitalOcean requests per minute',
        `${peak}`,
        `${apiLimitPerMinute} limit`,
        ratio(peak, apiLimitPerMinute),
      ],
      [
        `stable fleet of ${fleet}: API calls per minute`,
        holdPerMinute.toFixed(1),
        '10 goal',
        ratio(holdPerMinute, 10),
      ],
      [
        `reconcile list at ${bigFleet} servers`,
        `${list.gets} GETs`,
        `${naiveListGets} at per_page ${defaultPerPage}`,
        ratio(list.gets, naiveListGets),
      ],
    ],
    markdown: [
      'The whole scaler (default tick, reconciler every 30 ticks, DigitalOcean provider with its default ' +
        'client-side budget of 200 requests/min) against the stateful fake DigitalOcean API on 127.0.0.1 — never ' +
        'the real one. The provider block is the one a user writes, with examples/digitalocean-user-data.sh, whose ' +
        `body is the same for every droplet of a pool, so creates batch ten to a call. A backlog of 1,000 minute-long ` +
        `jobs keeps desired at the cap of ${fleet}; a stand-in writes the ${fleet} servers' heartbeats every second, so ` +
        `they turn ready as real ones would. After the ramp and ${settleMs / 1000} s to settle, the fleet is held for ` +
        `${holdSeconds} s (BENCH_HOLD_SECONDS) and every request to the API in that window is counted. Request times ` +
        `come from a 10 ms poller over the fake's request log.`,
      '',
      ...tableOf(['what', 'ours', 'baseline', 'ratio'], rows),
      '',
      `Requests during the ramp: ${byKind(run.ramp)}. During the hold: ${byKind(run.hold)}.`,
    ],
    goals: [
      goal(creates <= 20, `0 → ${fleet} in ≤ 20 create calls: ${creates}`),
      goal(
        peak <= apiLimitPerMinute,
        `never over ${apiLimitPerMinute} requests/min: peak ${peak} in any 60 s`,
      ),
      goal(
        holdPerMinute <= 10,
        `a stable fleet of ${fleet} costs ≤ 10 calls/min: ${holdPerMinute.toFixed(1)}`,
      ),
    ],
  };
}
