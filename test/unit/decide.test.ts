import { describe, expect, it } from 'vitest';
import { decide, initialMemory } from '../../src/core/decide.ts';
import { queueAtRisk, slotsForWait } from '../../src/core/erlang.ts';
import { queueDemand } from '../../src/core/estimators.ts';
import type { DecisionInput, PoolDemand, PoolPolicy, ServerView } from '../../src/core/types.ts';
import { smallPool } from '../helpers/small-pool.ts';

const policy: PoolPolicy = smallPool;

function demand(backlog: number, extra: Partial<PoolDemand> = {}): PoolDemand {
  return {
    queues: [{ queue: 'q', backlog, arrivalPerSecond: 0, runtimeMs: 1_000 }],
    oldestWaitMs: 0,
    activeJobs: 0,
    ...extra,
  };
}

function servers(n: number, state: ServerView['state'] = 'ready', activeJobs = 0): ServerView[] {
  return Array.from({ length: n }, (_, i) => ({ id: `s${i}`, state, createdAtMs: i, activeJobs }));
}

function input(over: Partial<DecisionInput>): DecisionInput {
  return { nowMs: 100_000, policy, demand: demand(0), servers: [], memory: initialMemory(), ...over };
}

describe('decide', () => {
  it('activates from zero on a single job', () => {
    const d = decide(input({ demand: demand(1) }));
    expect(d.desired).toBe(1);
    expect(d.reason).toMatch(/^scale up 0 → 1/);
  });

  it('sizes the fleet to clear the backlog within the wait target', () => {
    // 36 jobs × 1 s over 2 slots in a 10 s window = 1.8 → 2 servers.
    expect(decide(input({ demand: demand(36) })).desired).toBe(2);
  });

  it('counts booting servers as capacity: replaying a scale-up with those servers booting adds none', () => {
    const first = decide(input({ demand: demand(36) }));
    const replay = decide(
      input({ demand: demand(36), servers: servers(first.desired, 'booting'), memory: first.memory }),
    );
    expect(replay.desired).toBe(replay.current);
  });

  it('limits the step up and the maximum', () => {
    expect(decide(input({ demand: demand(10_000) })).desired).toBe(5);
    expect(decide(input({ demand: demand(10_000), servers: servers(8) })).desired).toBe(10);
  });

  it('holds the fleet for the scale-down delay, then drains idle servers only, never a busy one', () => {
    const busy = servers(3).map((s, i) => ({ ...s, activeJobs: i === 1 ? 0 : 2 }));
    const started = decide(input({ demand: demand(36), servers: busy }));
    const soon = decide(
      input({ nowMs: 110_000, demand: demand(0, { activeJobs: 4 }), servers: busy, memory: started.memory }),
    );
    expect(soon.desired).toBe(3);
    const later = decide(
      input({ nowMs: 131_000, demand: demand(0, { activeJobs: 4 }), servers: busy, memory: soon.memory }),
    );
    // One server would do for four jobs, but two servers are running jobs: only idle s1 goes.
    expect(later.desired).toBe(2);
    expect(later.drain).toEqual(['s1']);
    expect(later.reason).toMatch(/; kept 2: servers running jobs are not drained$/);
  });

  it('holds capacity bought for a backlog for one boot time, not the whole window', () => {
    const bought = decide(input({ demand: demand(36) }));
    expect(bought.desired).toBe(2);
    const two = [...servers(1, 'ready', 2), { ...servers(2)[1], id: 's1', activeJobs: 0 } as ServerView];
    const soon = decide(
      input({ nowMs: 102_000, demand: demand(0, { activeJobs: 2 }), servers: two, memory: bought.memory }),
    );
    expect(soon.desired).toBe(2);
    // Past the 4 s boot the queue is gone and one server covers the running jobs; the window keeps only that.
    const later = decide(
      input({ nowMs: 105_000, demand: demand(0, { activeJobs: 2 }), servers: two, memory: soon.memory }),
    );
    expect(later.desired).toBe(1);
    expect(later.drain).toEqual(['s1']);
  });

  it('returns to zero only after the idle period', () => {
    const one = servers(1);
    const busy = decide(input({ demand: demand(1), servers: one }));
    const idle = decide(input({ nowMs: 140_000, servers: one, memory: busy.memory }));
    expect(idle.desired).toBe(1);
    const asleep = decide(input({ nowMs: 161_000, servers: one, memory: idle.memory }));
    expect(asleep.desired).toBe(0);
  });

  it('lets minServers win over the step limit', () => {
    expect(decide(input({ policy: { ...policy, minServers: 8 } })).desired).toBe(8);
  });

  it('holds the fleet while the oldest job waits longer than the target', () => {
    const first = decide(input({ demand: demand(36), servers: servers(3) }));
    const stuck = decide(
      input({
        nowMs: 200_000,
        demand: demand(0, { oldestWaitMs: 11_000 }),
        servers: servers(3),
        memory: first.memory,
      }),
    );
    expect(stuck.desired).toBe(3);
    expect(stuck.reason).toMatch(/no scale-down while the backlog grows or waits too long/);
  });

  it('plans the drain over one wait target even when boots outlast it', () => {
    // Boot 20 s > target 10 s: 120 jobs × 1 s over 2 slots in a 10 s window = 6 servers.
    const slowBoot = { ...policy, bootMs: 20_000, maxServers: 50, maxStepUp: 50 };
    expect(decide(input({ policy: slowBoot, demand: demand(120) })).desired).toBe(6);
  });

  it('sizes the steady state by wait risk: fewer servers than a fixed utilisation for many short jobs', () => {
    const pool = { ...policy, slotsPerServer: 4, maxServers: 50, maxStepUp: 50, targetUtilisation: 0.85 };
    const many = {
      ...demand(0),
      queues: [{ queue: 'q', backlog: 0, arrivalPerSecond: 36, runtimeMs: 1_000 }],
    };
    expect(decide(input({ policy: { ...pool, steadyModel: 'utilisation' }, demand: many })).desired).toBe(11);
    expect(decide(input({ policy: pool, demand: many })).desired).toBe(
      Math.ceil(slotsForWait(36, 1_000, 10_000, 0.01) / 4),
    );
    expect(decide(input({ policy: pool, demand: many })).desired).toBeLessThan(11);
  });

  it('sizes the steady state by wait risk: more servers than a fixed utilisation for long jobs', () => {
    const pool = { ...policy, maxServers: 50, maxStepUp: 50, targetUtilisation: 1 };
    const long = {
      ...demand(0),
      queues: [{ queue: 'q', backlog: 0, arrivalPerSecond: 0.15, runtimeMs: 60_000 }],
    };
    // 9 erlangs over 2 slots = 4.5 → 5 servers at full utilisation, but jobs would often wait past 10 s.
    expect(decide(input({ policy: { ...pool, steadyModel: 'utilisation' }, demand: long })).desired).toBe(5);
    expect(decide(input({ policy: pool, demand: long })).desired).toBeGreaterThan(5);
  });

  it('takes a queue the busy slots form at the load for noise, not backlog, but never one past the target', () => {
    // 12 jobs/s of 3 s on 40 busy slots: Erlang C wants 37 slots (9.25 servers). Such a fleet queues up
    // to 35 jobs over 1 % of the time, and within one target up to 24 (64 of spread less 40 of drift);
    // 24 queued jobs are that noise. 34 as backlog add a server (9.25 + 0.85).
    const big: PoolPolicy = { ...policy, maxServers: 60, slotsPerServer: 4, targetWaitMs: 30_000 };
    const load = (backlog: number, oldestWaitMs: number): PoolDemand => ({
      queues: [{ queue: 'q', backlog, arrivalPerSecond: 12, runtimeMs: 3_000 }],
      oldestWaitMs,
      activeJobs: 40,
    });
    expect(queueAtRisk(40, 36, 0.01)).toBe(35);
    const fleet = servers(10, 'ready', 4);
    const noise = decide(input({ policy: big, demand: load(24, 2_000), servers: fleet }));
    expect(noise.terms.drain).toBe(0);
    expect(noise.terms.raw).toBe(10);
    expect(noise.reason).toMatch(/backlog ≤ \d+, the queue 40 busy slots form at this load: not drained/);
    // The same queue whose oldest job waited past the target is backlog again.
    const late = decide(input({ policy: big, demand: load(34, 31_000), servers: fleet }));
    expect(late.terms.drain).toBeCloseTo(0.85, 5);
    expect(late.terms.raw).toBe(11);
    // And a queue the slots could not start within the target (40 × 30 s ÷ 3 s = 400 jobs) is backlog.
    expect(
      decide(input({ policy: big, demand: load(401, 2_000), servers: fleet })).terms.drain,
    ).toBeGreaterThan(0);
  });

  it('plans for a sharply rising arrival trend over the boot time unless forecasting is off', () => {
    const rising = {
      ...demand(0),
      queues: [
        { queue: 'q', backlog: 0, arrivalPerSecond: 4, runtimeMs: 1_000, arrivalTrendPerSecond2: 0.1 },
      ],
    };
    // 4 jobs/s × 1 s over 2 slots = 2 servers; the trend adds 0.1 × (4 s boot + 40 s lag) = 4.4 jobs/s → 4.2 → 5.
    const utilisation = { ...policy, steadyModel: 'utilisation' as const };
    expect(decide(input({ demand: rising, policy: { ...utilisation, forecastTrend: false } })).desired).toBe(
      2,
    );
    expect(decide(input({ demand: rising, policy: utilisation })).desired).toBe(5);
    // A rise of 0.02 × 44 s = 0.88 jobs/s is under half of 4 jobs/s: noise, not a burst.
    const gentle = { ...rising, queues: rising.queues.map((q) => ({ ...q, arrivalTrendPerSecond2: 0.02 })) };
    expect(decide(input({ demand: gentle, policy: utilisation })).desired).toBe(2);
  });

  it('explains the decision with its numbers', () => {
    const d = decide(input({ demand: demand(36, { oldestWaitMs: 2_500, activeJobs: 3 }) }));
    expect(d.reason).toBe(
      'scale up 0 → 2: backlog 36, oldest wait 2.5s (target 10.0s), 3 active; steady 0.00 + drain 1.80, busy 1.50 → 2',
    );
  });

  it('buys servers for delayed jobs falling due within the look-ahead, and names them and herds in the reason', () => {
    const due = demand(0, { activeJobs: 0 });
    const newsletters = {
      ...due,
      queues: [{ queue: 'q', backlog: 30, arrivalPerSecond: 0, runtimeMs: 1_000, upcoming: 60, herd: 25 }],
    };
    const d = decide(input({ demand: newsletters }));
    // (30 queued + 60 due soon) × 1 s over 2 slots in a 10 s window = 4.5 → 5 servers.
    expect(d.desired).toBe(5);
    expect(d.reason).toBe(
      'scale up 0 → 5: backlog 30 (25 added at once: backlog, not rate), 60 delayed due within 5.2s, ' +
        'oldest wait 0.0s (target 10.0s), 0 active; steady 0.00 + drain 4.50, busy 0.00 → 5',
    );
  });

  it('counts due delayed jobs as backlog and paused queues as none', () => {
    const sample = {
      queue: 'q',
      waiting: 2,
      prioritized: 3,
      dueDelayed: 4,
      active: 1,
      paused: false,
      oldestWaitMs: 0,
      addedTotal: 10,
      recentRuntimesMs: [],
    };
    expect(queueDemand(sample, undefined, 500).backlog).toBe(9);
    expect(queueDemand({ ...sample, paused: true }, undefined, 500).backlog).toBe(0);
  });
});
