import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { scalerKeys } from '../../src/base/redis-keys.ts';
import { HistoryStore, type PoolTick, resolutions } from '../../src/fleet/history-store.ts';
import { Autoscaler } from '../../src/scaler/autoscaler.ts';
import { deletePrefix, redisUrl, uniquePrefix } from '../helpers/redis.ts';
import { fleetFixture } from './http-fixture.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function store(): { history: HistoryStore; redis: Redis; space: { prefix: string; cluster: string } } {
  const redis = new Redis(redisUrl());
  const space = { prefix: uniquePrefix('history'), cluster: 'c' };
  cleanups.push(async () => {
    await deletePrefix(redisUrl(), space.prefix);
    await redis.quit();
  });
  return { history: new HistoryStore(redis, space), redis, space };
}

function tick(over: Partial<PoolTick> = {}): PoolTick {
  return {
    oldestWaitMs: 0,
    backlog: 0,
    desired: 1,
    servers: { ready: 1 },
    completed: 0,
    failed: 0,
    costPerHourUsd: 3.6,
    elapsedMs: 1_000,
    ...over,
  };
}

/** A moment at the start of a fine interval, so ticks a few seconds apart share one. */
const t0 = Math.floor(Date.now() / 300_000) * 300_000;

describe('the history rings in Redis', () => {
  it('keeps the peak and the mean of every interval, not the last value', async () => {
    const { history } = store();
    for (const [i, wait] of [1_000, 9_000, 2_000].entries())
      await history.record(
        new Map([['main', tick({ oldestWaitMs: wait, backlog: wait / 100, completed: 5 })]]),
        t0 + i * 1_000,
      );
    const [bucket] = await history.read('main', '15m', t0 + 3_000);
    expect(bucket).toMatchObject({ atMs: t0, ticks: 3, oldestWaitMaxMs: 9_000, backlogMax: 90 });
    expect(bucket?.oldestWaitMeanMs).toBeCloseTo(4_000);
    // 15 jobs in 3 s of ticks: 300 a minute.
    expect(bucket?.completedPerMin).toBeCloseTo(300);
    expect(bucket?.spentUsd).toBeCloseTo(0.003);
  });

  it('is bounded: a ring keeps only its last intervals', async () => {
    const { history, redis, space } = store();
    const { bucketMs, buckets } = resolutions.fine;
    for (let i = 0; i < buckets + 15; i++)
      await history.record(new Map([['main', tick({ desired: i })]]), t0 + i * bucketMs);
    const key = scalerKeys(space).history('main', 'fine');
    expect(await redis.hlen(key)).toBe(buckets);
    const fields = (await redis.hkeys(key)).map(Number).sort((a, b) => a - b);
    expect(fields[0]).toBe(t0 + 15 * bucketMs);
    expect(await redis.pttl(key)).toBeGreaterThan(0);
  });

  it('serves the 24 h range from 5-minute intervals and keeps a day of spend', async () => {
    const { history } = store();
    for (let i = 0; i < 10; i++)
      await history.record(new Map([['main', tick({ elapsedMs: 60_000 })]]), t0 + i * 60_000);
    const day = await history.read('main', '24h', t0 + 600_000);
    expect(day.map((b) => b.spanMs)).toEqual([300_000, 300_000]);
    // 3.6 $/h for ten minutes.
    expect(await history.spentSince(['main'], t0, t0 + 600_000)).toBeCloseTo(0.6);
    expect(await history.spentSince(['main'], t0 + 300_000, t0 + 600_000)).toBeCloseTo(0.3);
  });

  it('a second writer (a standby taking over) adds to the interval the first one started', async () => {
    const first = store();
    const other = new Redis(redisUrl());
    cleanups.push(async () => void (await other.quit()));
    const second = new HistoryStore(other, first.space);
    await first.history.record(new Map([['main', tick({ oldestWaitMs: 7_000 })]]), t0);
    await second.record(new Map([['main', tick({ oldestWaitMs: 1_000 })]]), t0 + 1_000);
    const [bucket] = await first.history.read('main', '1h', t0 + 2_000);
    expect(bucket).toMatchObject({ ticks: 2, oldestWaitMaxMs: 7_000 });
  });

  it('returns scale marks oldest first, within the range', async () => {
    const { history } = store();
    await history.mark({ atMs: t0, pool: 'main', from: 0, to: 2, words: 'up' });
    await history.mark({ atMs: t0 + 5_000, pool: 'main', from: 2, to: 1, words: 'down' });
    expect((await history.marks('main', t0)).map((m) => m.words)).toEqual(['up', 'down']);
    expect((await history.marks('main', t0 + 1)).map((m) => m.words)).toEqual(['down']);
  });
});

describe('the leader writing history', () => {
  it('reports a failed write and still scales: the history never costs a tick', async () => {
    const fx = fleetFixture('history-broken');
    cleanups.push(fx.cleanup);
    const redis = new Redis(redisUrl());
    cleanups.push(async () => void (await redis.quit()));
    const keys = scalerKeys({
      prefix: fx.config.redis?.bullmqPrefix ?? '',
      cluster: fx.config.cluster ?? '',
    });
    // A key of the wrong type where the ring should be: every write to it fails.
    await redis.set(keys.history('main', 'fine'), 'not a hash');
    const scaler = new Autoscaler(fx.config);
    cleanups.push(() => scaler.close());
    const failures: string[] = [];
    scaler.on('tick.failed', (e) => failures.push(e.error));
    await fx.addSlowJobs(4);
    await scaler.tick();
    expect(failures).toEqual([expect.stringMatching(/^history: WRONGTYPE/)]);
    expect((await scaler.servers()).length).toBeGreaterThan(0);

    await redis.del(keys.history('main', 'fine'));
    await scaler.tick();
    expect(failures).toHaveLength(1);
    expect(await redis.hlen(keys.history('main', 'fine'))).toBe(1);
  });
});
