import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bullKeys } from '../../src/base/redis-keys.ts';
import type { QueueSample } from '../../src/core/types.ts';
import { Autoscaler } from '../../src/index.ts';
import { QueueSampler } from '../../src/sampler/queue-sampler.ts';
import { captureLog } from '../helpers/capture-log.ts';
import { localCluster } from '../helpers/local-cluster.ts';
import { uniquePrefix } from '../helpers/redis.ts';
import { freePorts, RedisProcesses } from '../helpers/redis-processes.ts';

/*
 * The sampler against queue contents BullMQ would not write itself, or writes only under races:
 * it must neither crash nor report demand that is not there, and its cost per queue must not
 * grow with the backlog.
 */
let redis: Redis;
let ownUrl: string;
let prefix: string;
const own = new RedisProcesses();
const hour = 3_600_000;

// A redis-server of this file's own: MONITOR on the shared one sees every other test's traffic,
// which both pollutes the command lists and trips ioredis's monitor mode ("Command queue state error").
beforeAll(async () => {
  const [port = 0] = await freePorts(1);
  await own.startServer(port);
  ownUrl = `redis://127.0.0.1:${port}`;
  redis = new Redis(ownUrl);
  prefix = uniquePrefix('odd');
});

afterAll(async () => {
  await redis.quit();
  await own.stop();
});

/**
 * Samples one queue and lists every command Redis ran on that queue's keys, those inside the
 * sampler's Lua script included (MONITOR reports them), in the order it ran them.
 */
async function sampleOne(
  queue: string,
  nowMs = Date.now(),
): Promise<{ sample: QueueSample; commands: string[] }> {
  const base = `${prefix}:${queue}:`;
  const sentinel = `${prefix}:sentinel:${queue}`;
  const commands: string[] = [];
  const monitor = await redis.monitor();
  let seenSentinel = () => {};
  const sentinelSeen = new Promise<void>((resolve) => {
    seenSentinel = resolve;
  });
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args.includes(sentinel)) seenSentinel();
    else if (args.some((a) => a.startsWith(base))) commands.push((args[0] ?? '').toLowerCase());
  });
  try {
    const {
      samples: [sample],
    } = await new QueueSampler(redis, prefix).sample([queue], nowMs);
    if (sample === undefined) throw new Error(`no sample for ${queue}`);
    // MONITOR reports in execution order: once it shows this, it has shown the sampler's commands.
    await redis.get(sentinel);
    await sentinelSeen;
    return { sample, commands };
  } finally {
    monitor.disconnect();
  }
}

/** A job hash the way BullMQ stores one, with only the fields a test cares about. */
async function rawJob(queue: string, id: string, fields: Record<string, string>, list: 'wait' | 'none') {
  const k = bullKeys(prefix, queue);
  if (Object.keys(fields).length > 0) await redis.hset(k.job(id), fields);
  if (list === 'wait') await redis.lpush(k.wait, id);
}

describe('sampler against odd queue contents', () => {
  it('a job without a timestamp counts as waiting but adds no age', async () => {
    await rawJob('no-ts', '1', { name: 'x', data: '{}' }, 'wait');
    const { sample } = await sampleOne('no-ts');
    expect(sample).toMatchObject({ waiting: 1, oldestWaitMs: 0 });
  });

  it('a timestamp from a producer clock a year ahead gives age 0, not a negative or huge one', async () => {
    const now = Date.now();
    await rawJob('future', '1', { timestamp: String(now + 365 * 24 * hour), delay: '0' }, 'wait');
    const { sample } = await sampleOne('future', now);
    expect(sample.oldestWaitMs).toBe(0);
  });

  it('non-numeric timestamps and delays are ignored, not parsed into ages', async () => {
    const now = Date.now();
    await rawJob('garbage-ts', '1', { timestamp: 'yesterday', delay: 'soon' }, 'wait');
    await rawJob('garbage-delay', '1', { timestamp: String(now - 5_000), delay: 'NaN' }, 'wait');
    expect((await sampleOne('garbage-ts', now)).sample.oldestWaitMs).toBe(0);
    expect((await sampleOne('garbage-delay', now)).sample.oldestWaitMs).toBe(5_000);
  });

  it('a head job deleted between the two round trips (id listed, hash gone) adds no age', async () => {
    await rawJob('deleted', 'gone', {}, 'wait');
    await redis.zadd(bullKeys(prefix, 'deleted').completed, Date.now(), 'also-gone');
    const { sample } = await sampleOne('deleted');
    expect(sample).toMatchObject({ waiting: 1, oldestWaitMs: 0, recentRuntimesMs: [] });
  });

  it('huge priorities and real BullMQ jobs side by side: counted, oldest age from the real job', async () => {
    const queue = new Queue('prio', { connection: { url: ownUrl }, prefix });
    await queue.add('max', {}, { priority: 2_097_151 });
    await queue.close();
    const k = bullKeys(prefix, 'prio');
    await redis.zadd(k.prioritized, '1e300', 'huge');
    await redis.hset(k.job('huge'), { timestamp: String(Date.now() - 10_000) });
    const { sample } = await sampleOne('prio');
    expect(sample.prioritized).toBe(2);
    expect(sample.oldestWaitMs).toBeGreaterThanOrEqual(0);
    expect(sample.oldestWaitMs).toBeLessThan(hour);
  });

  it('a million waiting jobs cost the same commands as one: the sampler is O(1) per queue', async () => {
    await rawJob('small', '1', { timestamp: String(Date.now()) }, 'wait');
    const k = bullKeys(prefix, 'million');
    const pipeline = redis.pipeline();
    for (let start = 0; start < 1_000_000; start += 10_000) {
      pipeline.rpush(k.wait, ...Array.from({ length: 10_000 }, (_, i) => String(start + i)));
    }
    await pipeline.exec();
    // Workers take from the right: the last id pushed is the oldest job.
    await redis.hset(k.job('999999'), { timestamp: String(Date.now() - 60_000) });
    const big = await sampleOne('million');
    const small = await sampleOne('small');
    expect(big.sample.waiting).toBe(1_000_000);
    expect(big.sample.oldestWaitMs).toBeGreaterThanOrEqual(60_000);
    expect(big.commands.length).toBeGreaterThan(5);
    expect(big.commands).toEqual(small.commands);
  });

  it('foreign keys under the prefix are ignored; a wrong-typed queue key fails that queue alone, named', async () => {
    const k = bullKeys(prefix, 'foreign');
    await redis.set(`${prefix}:foreign:notes`, 'not BullMQ');
    await redis.set(k.id, 'not-a-number');
    await redis.hset(k.meta, 'paused', 'maybe');
    const { sample } = await sampleOne('foreign');
    expect(sample).toMatchObject({ waiting: 0, addedTotal: 0, oldestWaitMs: 0 });
    await redis.set(bullKeys(prefix, 'wrongtype').wait, 'a string where a list belongs');
    await rawJob('beside', '1', { timestamp: String(Date.now()) }, 'wait');
    const round = await new QueueSampler(redis, prefix).sample(
      ['foreign', 'wrongtype', 'beside'],
      Date.now(),
    );
    expect(round.failures).toEqual([{ queue: 'wrongtype', error: expect.stringMatching(/^WRONGTYPE/) }]);
    expect(round.samples.map((s) => [s.queue, s.waiting])).toEqual([
      ['foreign', 0],
      ['beside', 1],
    ]);
  });
});

describe('the scaler on garbage', () => {
  it('a queue it cannot read fails alone and named; its pool and the others keep scaling on the rest', async () => {
    const cluster = localCluster(
      'garbage',
      'test/helpers/recording-worker.ts',
      { queues: ['alpha', 'beta'] },
      {
        pools: [
          { name: 'main', queues: ['alpha', 'beta'], slotsPerServer: 2, maxServers: 3, bootSeconds: 1 },
          { name: 'other', queues: ['gamma'], slotsPerServer: 2, maxServers: 3, bootSeconds: 1 },
        ],
      },
    );
    const log = captureLog();
    const scaler = new Autoscaler(cluster.config, { logger: log.logger });
    const shared = new Redis(cluster.url);
    try {
      await shared.set(bullKeys(cluster.prefix, 'alpha').wait, 'garbage');
      for (const name of ['beta', 'gamma'])
        await cluster
          .queue(name)
          .addBulk(Array.from({ length: 10 }, () => ({ name: 'job', data: { ms: 50 } })));
      await scaler.tick();
      await scaler.tick();
      const failed = log.events('sample.failed');
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.every((e) => String(e.error).startsWith('WRONGTYPE'))).toBe(true);
      expect(failed.map((e) => e.queues)).toContainEqual(['alpha']);
      const requested = new Set(log.events('server.requested').map((e) => e.pool));
      expect(requested).toEqual(new Set(['main', 'other']));
    } finally {
      await scaler.close();
      await shared.quit();
      await cluster.cleanup();
    }
  });
});
