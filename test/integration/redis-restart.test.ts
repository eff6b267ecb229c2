import { afterEach, describe, expect, it } from 'vitest';
import { Autoscaler } from '../../src/index.ts';
import { captureLog } from '../helpers/capture-log.ts';
import { localCluster } from '../helpers/local-cluster.ts';
import { OwnRedis } from '../helpers/own-redis.ts';
import { waitFor } from '../helpers/redis.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('Redis restarted mid-run', () => {
  it('the scaler holds while Redis is away, reconnects by itself, and finishes the work', async () => {
    const redis = await OwnRedis.start();
    cleanups.push(() => redis.remove());
    const cluster = localCluster(
      'restart',
      'test/helpers/recording-worker.ts',
      { maxServers: 2, scaleDownDelayMs: 500, idleToZeroMs: 500 },
      {
        lifecycle: { leaseTtlMs: 1_000 },
      },
    );
    const config = { ...cluster.config, redis: { url: redis.url, bullmqPrefix: cluster.prefix } };
    cleanups.push(() => cluster.cleanup());
    const log = captureLog();
    const scaler = new Autoscaler(config, { logger: log.logger });
    cleanups.push(() => scaler.close());
    const { Queue } = await import('bullmq');
    const queue = new Queue('alpha', { connection: { url: redis.url }, prefix: cluster.prefix });
    queue.on('error', () => {});
    cleanups.push(() => queue.close());
    await queue.addBulk(Array.from({ length: 40 }, () => ({ name: 'job', data: { ms: 400 } })));
    await scaler.start();
    await waitFor('a ready server', async () => log.events('server.ready').length > 0);

    await redis.stop();
    const downAt = Date.now();
    await waitFor('the scaler to notice', async () =>
      log.lines.some((l) => Number(l.time) > downAt && /failed|lost/.test(String(l.event))),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await redis.restart();
    const upAt = Date.now();
    // No decision was taken on missing data: nothing was drained while Redis was away.
    expect(
      log.events('server.draining').filter((l) => Number(l.time) > downAt && Number(l.time) < upAt),
    ).toEqual([]);

    // Whether it kept its lease or lost and retook it depends on which command the outage hit
    // first; either way the work must finish and the fleet come back to zero.
    await waitFor('every job done', async () => (await queue.getCompletedCount()) === 40, 60_000);
    await waitFor('the fleet back to zero', async () => (await scaler.servers()).length === 0, 60_000);
    expect(await queue.getFailedCount()).toBe(0);
  });
});
