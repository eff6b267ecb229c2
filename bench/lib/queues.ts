import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import type { RedisClient } from '../../src/base/redis-connection.ts';

export function queueNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `q${String(i).padStart(4, '0')}`);
}

/** How many jobs of each kind queue `i` holds: varied, so no queue looks like the next. */
export function contentsOf(i: number) {
  return {
    waiting: 5 + (i % 40),
    prioritized: i % 3 === 0 ? 1 + (i % 7) : 0,
    delayedDue: i % 4 === 0 ? 2 : 0,
    delayedLater: 1 + (i % 5),
    active: 1 + (i % 3),
    completed: 1 + (i % 4),
    paused: i % 25 === 24,
  };
}

/**
 * Fills a queue as a busy production queue looks: completed jobs with real runtimes, jobs in
 * progress, a waiting line, prioritized jobs, delayed jobs already due and later ones. Jobs are
 * made active and completed through a BullMQ worker, so every key is BullMQ's own.
 */
export async function populateQueue(
  redis: RedisClient,
  prefix: string,
  name: string,
  i: number,
): Promise<void> {
  const c = contentsOf(i);
  const queue = new Queue(name, { connection: redis, prefix });
  const worker = new Worker(name, null, { connection: redis, prefix, autorun: false });
  try {
    const job = (n: number, opts = {}) =>
      Array.from({ length: n }, () => ({ name: 'job', data: { i }, opts }));
    await queue.addBulk(job(c.active + c.completed));
    const token = randomUUID();
    for (let k = 0; k < c.active + c.completed; k++) {
      const taken = await worker.getNextJob(token, { block: false });
      if (taken && k < c.completed) await taken.moveToCompleted('done', token, false);
    }
    await queue.addBulk([
      ...job(c.waiting),
      ...job(c.prioritized, { priority: 1 + (i % 10) }),
      ...job(c.delayedDue, { delay: 1 }),
      ...job(c.delayedLater, { delay: 3_600_000 }),
    ]);
    if (c.paused) await queue.pause();
  } finally {
    await worker.close(true);
    await queue.close();
  }
}

/** Populates many queues a few at a time: each needs its own worker connection while it is filled. */
export async function populateQueues(redis: RedisClient, prefix: string, names: string[], parallel = 20) {
  for (let from = 0; from < names.length; from += parallel) {
    await Promise.all(
      names.slice(from, from + parallel).map((name, k) => populateQueue(redis, prefix, name, from + k)),
    );
  }
}
