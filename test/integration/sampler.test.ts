import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { QueueSampler } from '../../src/sampler/queue-sampler.ts';
import { deletePrefix, redisUrl, uniquePrefix } from '../helpers/redis.ts';

const prefix = uniquePrefix('sampler');
const redis = new Redis(redisUrl());
afterAll(async () => {
  await deletePrefix(redisUrl(), prefix);
  await redis.quit();
});

function queue(name: string): Queue {
  return new Queue(name, { connection: { url: redisUrl() }, prefix });
}

describe('QueueSampler against real BullMQ queues', () => {
  it('counts waiting, prioritized and due delayed jobs, and ages the oldest of all three', async () => {
    const q = queue('mixed');
    const now = Date.now();
    await q.add('plain', {}, { timestamp: now - 4_000 });
    await q.add('urgent', {}, { priority: 1, timestamp: now - 9_000 });
    await q.add('due', {}, { delay: 1_000, timestamp: now - 7_000 });
    await q.add('later', {}, { delay: 60_000 });
    await q.close();
    const {
      samples: [s],
    } = await new QueueSampler(redis, prefix).sample(['mixed'], now);
    expect(s).toMatchObject({
      waiting: 1,
      prioritized: 1,
      dueDelayed: 1,
      active: 0,
      paused: false,
      addedTotal: 4,
    });
    // The prioritized job waited longest (9 s); the due delayed one became ready 6 s ago.
    expect(s?.oldestWaitMs).toBe(9_000);
  });

  it('counts delayed jobs falling due within the look-ahead, and every delayed job', async () => {
    const q = queue('ahead');
    const now = Date.now();
    await q.add('due', {}, { delay: 1_000, timestamp: now - 7_000 });
    await q.addBulk(
      [10_000, 50_000, 70_000].map((delay) => ({ name: 'soon', data: {}, opts: { delay, timestamp: now } })),
    );
    await q.add('later', {}, { delay: 3_600_000, timestamp: now });
    await q.close();
    const sampler = new QueueSampler(redis, prefix);
    // Due at now+10 s and now+50 s are within 60 s; now+70 s and the hour-later one are not.
    const {
      samples: [s],
    } = await sampler.sample(['ahead'], now, 60_000);
    expect(s).toMatchObject({ dueDelayed: 1, upcomingDelayed: 2, delayedTotal: 5, addedTotal: 5 });
    const {
      samples: [none],
    } = await sampler.sample(['ahead'], now);
    expect(none?.upcomingDelayed).toBe(0);
  });

  it('sees a paused queue, and a delayed job that is due counts from when it became due', async () => {
    const q = queue('paused');
    const now = Date.now();
    await q.add('due', {}, { delay: 2_000, timestamp: now - 5_000 });
    await q.pause();
    await q.close();
    const {
      samples: [s],
    } = await new QueueSampler(redis, prefix).sample(['paused'], now);
    expect(s).toMatchObject({ paused: true, dueDelayed: 1, oldestWaitMs: 3_000 });
  });

  it('reports each completed job’s runtime once, across samples', async () => {
    const q = queue('done');
    await q.addBulk([1, 2, 3].map((n) => ({ name: 'job', data: { ms: 30 * n } })));
    const worker = new Worker(
      'done',
      async (job) => new Promise((resolve) => setTimeout(resolve, Number(job.data.ms))),
      { connection: { url: redisUrl() }, prefix },
    );
    while ((await q.getCompletedCount()) < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    await worker.close();
    await q.close();
    const sampler = new QueueSampler(redis, prefix);
    const {
      samples: [first],
    } = await sampler.sample(['done'], Date.now());
    expect(first?.recentRuntimesMs).toHaveLength(3);
    for (const [i, ms] of [...(first?.recentRuntimesMs ?? [])].sort((a, b) => a - b).entries()) {
      expect(ms).toBeGreaterThanOrEqual(30 * (i + 1) - 5);
    }
    const {
      samples: [second],
    } = await sampler.sample(['done'], Date.now());
    expect(second?.recentRuntimesMs).toEqual([]);
  });

  it('samples more queues than one script call carries, in order', async () => {
    const names = Array.from({ length: 250 }, (_, i) => `many-${i}`);
    const pipeline = redis.pipeline();
    names.forEach((name, i) => {
      for (let j = 0; j < i % 3; j++) pipeline.lpush(`${prefix}:${name}:wait`, `job-${j}`);
    });
    await pipeline.exec();
    const { samples } = await new QueueSampler(redis, prefix).sample(names, Date.now());
    expect(samples.map((s) => s.queue)).toEqual(names);
    expect(samples.map((s) => s.waiting)).toEqual(names.map((_, i) => i % 3));
  });
});
