import { describe, expect, it } from 'vitest';
import { poolPolicy } from '../../bench/lib/pool-policy.ts';
import type { BurstEpisode } from '../../src/core/burst-memory.ts';
import { decide, initialMemory } from '../../src/core/decide.ts';
import type { DecisionMemory, PoolDemand, ServerView } from '../../src/core/types.ts';

const period = 360_000;
/** 180 s boots and a 30 s target: a rebuild costs about as much as the 270 s gap between bursts. */
const policy = poolPolicy({ bootMs: 180_000, maxStepUp: 60, maxServers: 100 });

function learned(extra: Partial<BurstEpisode>, open?: BurstEpisode): DecisionMemory {
  const episodes = [0, 1, 2].map((i) => ({ startAtMs: i * period, peak: 30, early: 27, ...extra }));
  return { ...initialMemory(), bursts: { episodes, open, trough: 1 } };
}

function fleet(count: number): ServerView[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `s${i}`,
    state: 'ready' as const,
    createdAtMs: 0,
    activeJobs: 0,
  }));
}

const quiet: PoolDemand = {
  queues: [{ queue: 'q', backlog: 0, arrivalPerSecond: 0.5, runtimeMs: 3_000 }],
  oldestWaitMs: 0,
  activeJobs: 2,
};

describe('learned bursts', () => {
  it('lets the learned burst under way stand for the trend forecast, and says so', () => {
    const open = { startAtMs: 3 * period, peak: 10, early: 10 };
    const rising: PoolDemand = {
      queues: [
        { queue: 'q', backlog: 0, arrivalPerSecond: 10, runtimeMs: 3_000, arrivalTrendPerSecond2: 0.5 },
      ],
      oldestWaitMs: 0,
      activeJobs: 40,
    };
    const nowMs = 3 * period + 20_000;
    const memory = { ...learned({}, open), recent: [{ atMs: nowMs - 1_000, desired: 2, steady: 2 }] };
    const d = decide({ nowMs, policy, demand: rising, servers: fleet(27), memory });
    // With the trend, 10 jobs/s rising by 0.5 per s over a boot asked for 80+ servers: a second forecast.
    expect(d.desired).toBe(27);
    expect(d.reason).toMatch(/no trend forecast: the learned burst under way stands for it/);
    expect(d.reason).toMatch(/raised to 27 for the burst under way/);
  });

  it('leaves the scale-down window out of the run-up to a learned burst', () => {
    const nowMs = 3 * period - 100_000;
    const memory = { ...learned({}), recent: [{ atMs: nowMs - 60_000, desired: 51, steady: 51 }] };
    const d = decide({ nowMs, policy, demand: quiet, servers: fleet(27), memory });
    // The window resurrected the last burst's 51 here and bought 24 servers ahead of a burst needing 27.
    expect(d.desired).toBe(27);
    expect(d.reason).not.toMatch(/scale-down window/);
  });

  it('sizes a burst met by a ready fleet from its offered load by the wait-risk rule', () => {
    const nowMs = 3 * period - 100_000;
    const memory = learned({ ready: true, load: 22.5 });
    const d = decide({ nowMs, policy, demand: quiet, servers: fleet(1), memory });
    // 90 erlangs: 23 servers of 4 slots keep waits past 30 s under 1 %; the busy peak said 27.
    expect(d.desired).toBe(23);
    expect(d.reason).toMatch(
      /raised to 23 for the burst expected in 100\.0s \(learned: every 360\.0s, 23 servers\)/,
    );
  });

  it('trusts the bursts met by a ready fleet over those met late', () => {
    const nowMs = 3 * period - 100_000;
    const memory = learned({});
    const late = memory.bursts.episodes.map((e, i) =>
      i === 2 ? { ...e, ready: true, early: 26 } : { ...e, early: 60 },
    );
    const d = decide({
      nowMs,
      policy,
      demand: quiet,
      servers: fleet(1),
      memory: { ...memory, bursts: { ...memory.bursts, episodes: late } },
    });
    expect(d.desired).toBe(26);
  });
});
