import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { poolPolicy } from '../../bench/lib/pool-policy.ts';
import { initialPoolStepState, learnedOf, poolStep, stateFromLearned } from '../../src/core/pool-step.ts';
import type { PoolPolicy, QueueSample } from '../../src/core/types.ts';
import { LearnedStore } from '../../src/fleet/learned-store.ts';
import { deletePrefix, redisUrl, uniquePrefix } from '../helpers/redis.ts';

const prefix = uniquePrefix('learned');
const redis = new Redis(redisUrl());
const space = { prefix, cluster: 'c1' };
afterAll(async () => {
  await deletePrefix(redisUrl(), prefix);
  await redis.quit();
});

const policy: PoolPolicy = poolPolicy();

function sample(queue: string, addedTotal: number, recentRuntimesMs: number[] = []): QueueSample {
  return {
    queue,
    waiting: 40,
    prioritized: 0,
    dueDelayed: 0,
    active: 0,
    paused: false,
    oldestWaitMs: 0,
    addedTotal,
    recentRuntimesMs,
  };
}

const step = (state = initialPoolStepState(), samples: QueueSample[], nowMs = 1_000) =>
  poolStep(state, { nowMs, policy, defaultRuntimeMs: 1_000, samples, servers: [], bootsObservedMs: [] });

describe('learned runtimes and bursts in Redis', () => {
  it('a restarted scaler plans with the runtime learned before; the default is for a queue never seen', async () => {
    const before = step(undefined, [sample('fast', 100, Array(20).fill(50))]).state;
    const store = new LearnedStore(redis, space);
    await store.save('web', learnedOf(before));

    const learned = await new LearnedStore(redis, space).load('web', ['fast', 'new']);
    expect(learned.runtimesMs.get('fast')).toBe(50);
    const restarted = step(stateFromLearned(learned), [
      sample('fast', 100),
      { ...sample('new', 0), waiting: 0 },
    ]);
    const [fast, fresh] = restarted.demand.queues;
    expect(fast).toMatchObject({ runtimeMs: 50, runtimeLearned: true });
    expect(fresh).toMatchObject({ runtimeMs: 1_000, runtimeLearned: false });
    // 40 queued jobs of 50 ms are 0.02 servers of work; planned at the 1 s default they were 0.33.
    expect(restarted.decision.terms.drain).toBeLessThan(0.05);
    expect(restarted.decision.reason).toMatch(/default runtime for new \(never seen\)/);
  });

  it('keeps a pool’s learned bursts and ignores a malformed value', async () => {
    const store = new LearnedStore(redis, space);
    const episodes = [1, 2, 3].map((i) => ({ startAtMs: i * 360_000, peak: 30, early: 25 }));
    await store.save('bursty', { runtimesMs: new Map(), bursts: episodes });
    expect((await store.load('bursty', [])).bursts).toEqual(episodes);
    await redis.hset(`${prefix}:autoscaler:{c1}:learned-bursts`, 'broken', '{"not": "a list"');
    expect((await store.load('broken', [])).bursts).toEqual([]);
  });
});
