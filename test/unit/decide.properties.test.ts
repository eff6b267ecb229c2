import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { poolPolicy } from '../../bench/lib/pool-policy.ts';
import { expectedBurst } from '../../src/core/burst-memory.ts';
import { decide, initialMemory } from '../../src/core/decide.ts';
import { totalBacklog } from '../../src/core/demand-terms.ts';
import type {
  DecisionInput,
  DecisionMemory,
  PoolDemand,
  PoolPolicy,
  ServerView,
} from '../../src/core/types.ts';

const policyArb: fc.Arbitrary<PoolPolicy> = fc
  .record({
    minServers: fc.integer({ min: 0, max: 5 }),
    extra: fc.integer({ min: 0, max: 30 }),
    slotsPerServer: fc.integer({ min: 1, max: 8 }),
    targetWaitMs: fc.integer({ min: 1, max: 120_000 }),
    bootMs: fc.integer({ min: 0, max: 180_000 }),
    targetUtilisation: fc.double({ min: 0.3, max: 1, noNaN: true }),
    maxStepUp: fc.integer({ min: 1, max: 10 }),
    scaleDownDelayMs: fc.integer({ min: 0, max: 600_000 }),
    idleToZeroMs: fc.integer({ min: 0, max: 900_000 }),
    forecastTrend: fc.boolean(),
    // keepPaidServersMs: absent or 0 (off, the default) as often as on; servers are 0–1000 s old.
    paidMinimumMs: fc.option(fc.constantFrom(0, 300_000, 2_016_000), { nil: undefined }),
  })
  .map(({ extra, ...p }) => ({ ...p, maxServers: p.minServers + extra }));

const busyDemandArb: fc.Arbitrary<PoolDemand> = fc.record({
  queues: fc.array(
    fc.record({
      queue: fc.constantFrom('a', 'b', 'c'),
      backlog: fc.integer({ min: 0, max: 5_000 }),
      arrivalPerSecond: fc.double({ min: 0, max: 50, noNaN: true }),
      runtimeMs: fc.integer({ min: 1, max: 60_000 }),
      arrivalTrendPerSecond2: fc.double({ min: -1, max: 1, noNaN: true }),
      upcoming: fc.integer({ min: 0, max: 5_000 }),
      herd: fc.integer({ min: 0, max: 1_000 }),
      runtimeLearned: fc.boolean(),
      active: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
      runtimeAtLeastMs: fc.option(fc.integer({ min: 1_000, max: 600_000 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  oldestWaitMs: fc.integer({ min: 0, max: 600_000 }),
  activeJobs: fc.integer({ min: 0, max: 200 }),
});

/** Idle ticks are common in real pools and are where scale-to-zero happens, so they get their own share. */
const idleDemandArb: fc.Arbitrary<PoolDemand> = fc.constant({
  queues: [{ queue: 'a', backlog: 0, arrivalPerSecond: 0, runtimeMs: 1_000 }],
  oldestWaitMs: 0,
  activeJobs: 0,
});

const demandArb = fc.oneof(busyDemandArb, idleDemandArb);

const serversArb: fc.Arbitrary<ServerView[]> = fc
  .array(
    fc.record({
      state: fc.constantFrom<ServerView['state']>('requested', 'booting', 'ready', 'ready', 'draining'),
      activeJobs: fc.integer({ min: 0, max: 8 }),
      createdAtMs: fc.integer({ min: 0, max: 1_000_000 }),
    }),
    { maxLength: 30 },
  )
  .map((list) => list.map((s, i) => ({ ...s, id: `s${i}` })));

/** A decision input whose memory came from a few earlier ticks, as in a running scaler. */
const inputArb: fc.Arbitrary<DecisionInput> = fc
  .record({
    policy: policyArb,
    servers: serversArb,
    demand: demandArb,
    history: fc.array(fc.record({ dtMs: fc.integer({ min: 1, max: 400_000 }), demand: demandArb }), {
      maxLength: 5,
    }),
  })
  .map(({ policy, servers: reported, demand, history }) => {
    // Heartbeats agree with the sample: with no job running in the pool, no server reports one.
    const servers = demand.activeJobs === 0 ? reported.map((s) => ({ ...s, activeJobs: 0 })) : reported;
    let nowMs = 1_000_000;
    let memory = initialMemory();
    for (const step of history) {
      memory = decide({ nowMs, policy, demand: step.demand, servers, memory }).memory;
      nowMs += step.dtMs;
    }
    return { nowMs, policy, demand, servers, memory };
  });

const capacity = (servers: ServerView[]) => servers.filter((s) => s.state !== 'draining').length;

function busyDemand(backlog: number): PoolDemand {
  return {
    queues: [{ queue: 'a', backlog, arrivalPerSecond: 0, runtimeMs: 3_000 }],
    oldestWaitMs: 0,
    activeJobs: 2,
  };
}

/** The same demand without any queue's running count: the steady term as Erlang C alone sees it. */
function withoutRunningCounts(demand: PoolDemand): PoolDemand {
  return { ...demand, queues: demand.queues.map(({ active: _active, ...q }) => q) };
}

const namesInProgress = (reason: string) => /jobs in progress in |jobs running past /.test(reason);

/** Whether the decision's memory holds a learned burst pattern, and whether one is under way. */
function patternOf(d: { memory: DecisionMemory }): string {
  const expected = expectedBurst(d.memory.bursts);
  return expected === undefined ? 'none' : `underway ${expected.underway}`;
}

function withBacklog(demand: PoolDemand, add: number): PoolDemand {
  const [first, ...rest] = demand.queues;
  if (first === undefined) return demand;
  return { ...demand, queues: [{ ...first, backlog: first.backlog + add }, ...rest] };
}

/** Servers not deleted and not capacity (draining, deleting, failed, hanging): still billed. */
const billedElsewhere = (servers: ServerView[]) =>
  servers.filter((s) => !['requested', 'creating', 'booting', 'ready', 'deleted'].includes(s.state)).length;

/** The most capacity a pool may have without its bill exceeding maxServers (or what it has, if more). */
function room(input: DecisionInput): number {
  const current = capacity(input.servers);
  return Math.max(
    Math.min(current, input.policy.maxServers),
    input.policy.maxServers - billedElsewhere(input.servers),
  );
}

/** Billed servers once the decision is carried out, and whether that breaks the pool's cap. */
function capBroken(input: DecisionInput, desired: number): boolean {
  const billedBefore = input.servers.filter((s) => s.state !== 'deleted').length;
  const billedAfter = billedElsewhere(input.servers) + Math.max(desired, 0) + drainedNow(input, desired);
  return billedBefore <= input.policy.maxServers && billedAfter > input.policy.maxServers;
}

/** Capacity drained by a scale-down stays billed until its jobs are done. */
function drainedNow(input: DecisionInput, desired: number): number {
  return Math.max(0, capacity(input.servers) - desired);
}

describe('decide() properties', () => {
  it('keeps desired within [min, max], min winning over the step limit but not over the bill', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const d = decide(input);
        expect(d.desired).toBeGreaterThanOrEqual(Math.min(input.policy.minServers, room(input)));
        expect(d.desired).toBeLessThanOrEqual(input.policy.maxServers);
      }),
    );
  });

  it('never lets billed servers (any state but deleted) exceed maxServers', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        expect(capBroken(input, decide(input).desired)).toBe(false);
      }),
    );
  });

  it('catches a planted violation: capacity up to maxServers while servers still drain', () => {
    const policy = poolPolicy({ maxServers: 4 });
    const servers: ServerView[] = [
      { id: 'd1', state: 'draining', createdAtMs: 0, activeJobs: 1 },
      { id: 'r1', state: 'ready', createdAtMs: 0, activeJobs: 1 },
    ];
    const input = { nowMs: 1, policy, demand: busyDemand(500), servers, memory: initialMemory() };
    // What decide() did before billed servers counted: fill capacity to maxServers.
    expect(capBroken(input, policy.maxServers)).toBe(true);
    const d = decide(input);
    expect(d.desired).toBe(3);
    expect(capBroken(input, d.desired)).toBe(false);
    expect(d.reason).toMatch(/capped at 3 \(maxServers 4, 1 draining or deleting still billed\)/);
  });

  it('never drains a server running jobs while an idle one could go, nor below the busy servers', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const d = decide(input);
        const capacityNow = input.servers.filter((s) => s.state !== 'draining');
        const drained = new Set(d.drain);
        const busyDrained = capacityNow.some((s) => drained.has(s.id) && s.activeJobs > 0);
        const idleKept = capacityNow.some((s) => !drained.has(s.id) && s.activeJobs === 0);
        expect(busyDrained && idleKept).toBe(false);
        const busy = capacityNow.filter((s) => s.activeJobs > 0).length;
        if (d.desired < d.current) expect(d.desired).toBeGreaterThanOrEqual(Math.min(busy, room(input)));
      }),
    );
  });

  it('says what it does: the reason’s verb and numbers agree with the decision, and a count away from the need names its rule', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const d = decide(input);
        const verb =
          d.desired > d.current
            ? `scale up ${d.current} → ${d.desired}: `
            : d.desired < d.current
              ? `scale down ${d.current} → ${d.desired}: `
              : `hold ${d.current}: `;
        expect(d.reason.startsWith(verb)).toBe(true);
        expect(d.reason).toContain(`backlog ${totalBacklog(input.demand)}`);
        expect(d.reason).toContain(`→ ${d.terms.raw}`);
        if (d.desired !== d.terms.raw)
          expect(d.reason).toMatch(/held at|kept|raised to|limited to|capped at/);
      }),
    );
  });

  it('names the jobs in progress in the reason whenever they move the steady term', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const d = decide(input);
        const blind = decide({ ...input, demand: withoutRunningCounts(input.demand) });
        if (Math.abs(d.terms.steady - blind.terms.steady) > 1e-9)
          expect(namesInProgress(d.reason)).toBe(true);
      }),
    );
  });

  it('names the booting servers in the reason whenever what they clear a boot ahead moves the count', () => {
    const namesAhead = (reason: string) => /booting servers clear \d+ queued jobs/.test(reason);
    fc.assert(
      fc.property(inputArb, (drawn) => {
        // The rule needs measured runtimes, no herd, and servers booting for less than a boot.
        const queues = drawn.demand.queues.map((q) => ({ ...q, herd: 0, runtimeLearned: true }));
        const servers = drawn.servers.map((s) =>
          s.state === 'ready'
            ? s
            : { ...s, createdAtMs: drawn.nowMs - (s.createdAtMs % Math.max(1, drawn.policy.bootMs)) },
        );
        const input = { ...drawn, demand: { ...drawn.demand, queues }, servers };
        const d = decide(input);
        // The same fleet just bought: booting servers have worked nothing before a new one could.
        const fresh = input.servers.map((s) =>
          s.state === 'ready' ? s : { ...s, createdAtMs: input.nowMs },
        );
        const blind = decide({ ...input, servers: fresh });
        if (d.terms.raw !== blind.terms.raw) expect(namesAhead(d.reason)).toBe(true);
        expect(d.terms.raw).toBeLessThanOrEqual(blind.terms.raw);
      }),
    );
  });

  it('catches a planted violation: long jobs planned by their running count with the reason left silent', () => {
    const demand: PoolDemand = {
      queues: [{ queue: 'a', backlog: 0, arrivalPerSecond: 0.05, runtimeMs: 750_000, active: 38 }],
      oldestWaitMs: 0,
      activeJobs: 38,
    };
    const input = { nowMs: 1, policy: poolPolicy(), demand, servers: [], memory: initialMemory() };
    const d = decide(input);
    expect(d.terms.steady).toBeLessThan(
      decide({ ...input, demand: withoutRunningCounts(demand) }).terms.steady,
    );
    expect(namesInProgress(d.reason)).toBe(true);
    // The same decision with the note cut out, as decide-reason.ts printed it before.
    expect(namesInProgress(d.reason.replace(/ \(jobs in progress[^)]*\)/, ''))).toBe(false);
  });

  it('adds at most maxStepUp servers in one tick unless minServers demands more', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const d = decide(input);
        expect(d.desired).toBeLessThanOrEqual(
          Math.max(d.current + input.policy.maxStepUp, input.policy.minServers),
        );
      }),
    );
  });

  it('never lowers the desired count for more backlog, more delayed jobs due soon, or an older oldest job', () => {
    fc.assert(
      fc.property(
        inputArb,
        fc.integer({ min: 1, max: 2_000 }),
        fc.integer({ min: 1, max: 300_000 }),
        (input, more, older) => {
          const before = decide(input);
          const base = before.desired;
          const backlogged = decide({ ...input, demand: withBacklog(input.demand, more) });
          // The one exception, by design: work that opens the episode completing a learned burst
          // pattern hands the count from the scale-down window to the pattern (decide.ts, "between
          // learned bursts"), which may hold less than the window did; the backlog itself is drained.
          if (patternOf(before) === patternOf(backlogged))
            expect(backlogged.desired).toBeGreaterThanOrEqual(base);
          const aged = { ...input.demand, oldestWaitMs: input.demand.oldestWaitMs + older };
          expect(decide({ ...input, demand: aged }).desired).toBeGreaterThanOrEqual(base);
          const [first, ...rest] = input.demand.queues;
          if (first === undefined) return;
          const dueSoon = { ...first, upcoming: (first.upcoming ?? 0) + more };
          const upcoming = decide({ ...input, demand: { ...input.demand, queues: [dueSoon, ...rest] } });
          if (patternOf(before) === patternOf(upcoming))
            expect(upcoming.desired).toBeGreaterThanOrEqual(base);
        },
      ),
    );
  });

  it('does not scale down while the oldest wait exceeds the target or the backlog grows', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const urgent =
          input.demand.oldestWaitMs > input.policy.targetWaitMs ||
          totalBacklog(input.demand) > input.memory.previousBacklog;
        fc.pre(urgent);
        const d = decide(input);
        expect(d.desired).toBeGreaterThanOrEqual(Math.min(d.current, input.policy.maxServers));
        if (d.current <= input.policy.maxServers) expect(d.drain).toEqual([]);
      }),
    );
  });

  it('counts booting servers: replaying a scale-up with the new servers booting adds none', () => {
    fc.assert(
      fc.property(inputArb, (generated) => {
        // Without a binding step limit, so the first decision asks for everything it wants at once.
        const input = {
          ...generated,
          policy: { ...generated.policy, maxStepUp: generated.policy.maxServers + 1 },
        };
        const first = decide(input);
        const added = first.desired - first.current;
        fc.pre(added > 0);
        const booting = Array.from({ length: added }, (_, i) => ({
          id: `new${i}`,
          state: 'booting' as const,
          createdAtMs: input.nowMs,
          activeJobs: 0,
        }));
        const replay = decide({ ...input, servers: [...input.servers, ...booting], memory: first.memory });
        expect(replay.desired).toBeLessThanOrEqual(replay.current);
      }),
    );
  });

  it('returns to zero only after the idle period with no backlog and no active job', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const d = decide(input);
        fc.pre(d.desired === 0 && d.current > 0 && input.policy.maxServers > 0);
        expect(totalBacklog(input.demand)).toBe(0);
        expect(input.demand.activeJobs).toBe(0);
        const lastBusy = input.memory.lastBusyAtMs ?? Number.POSITIVE_INFINITY;
        expect(input.nowMs - lastBusy).toBeGreaterThanOrEqual(input.policy.idleToZeroMs);
      }),
    );
  });

  it('activates from zero on any job, room on the bill permitting', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        fc.pre(totalBacklog(input.demand) > 0 && room(input) > 0);
        expect(decide(input).desired).toBeGreaterThanOrEqual(1);
      }),
    );
  });

  it('gives the same output for the same input', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        expect(decide(structuredClone(input))).toEqual(decide(input));
      }),
    );
  });

  it('keeps memory bounded: no remembered entry is outdone in both values by a later one', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const { recent } = decide(input).memory;
        recent.forEach((older, i) => {
          const later = recent.slice(i + 1);
          expect(later.some((r) => r.desired >= older.desired && r.steady >= older.steady)).toBe(false);
          const inWindow =
            older.atMs > input.nowMs - input.policy.scaleDownDelayMs || older.atMs === input.nowMs;
          expect(inWindow).toBe(true);
        });
        expect(capacity(input.servers)).toBe(decide(input).current);
      }),
    );
  });
});
