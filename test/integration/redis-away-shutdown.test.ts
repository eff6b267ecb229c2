import { afterEach, describe, expect, it } from 'vitest';
import { localCluster } from '../helpers/local-cluster.ts';
import { OwnRedis } from '../helpers/own-redis.ts';
import { waitFor } from '../helpers/redis.ts';
import { ScalerProcess } from '../helpers/scaler-process.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a scaler process while Redis is unreachable', () => {
  it('logs only JSON lines, and exits on SIGTERM within a bounded time', async () => {
    const redis = await OwnRedis.start();
    cleanups.push(() => redis.remove());
    const cluster = localCluster(
      'sigterm',
      'test/helpers/recording-worker.ts',
      {},
      { lifecycle: { leaseTtlMs: 1_000 } },
    );
    cleanups.push(() => cluster.cleanup());
    const scaler = new ScalerProcess(cluster.configFile(), { REDIS_URL: redis.url });
    cleanups.push(async () => {
      await scaler.kill('SIGKILL');
    });
    await waitFor('the scaler to lead', async () => scaler.named('leader.acquired').length > 0, 30_000);

    await redis.stop();
    await waitFor('the lease lost to the outage', async () => scaler.named('leader.lost').length > 0, 30_000);
    // Long enough for the clients' reconnect attempts to fail a few times.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const sentAtMs = Date.now();
    scaler.sigterm();
    const code = await Promise.race([
      scaler.exited,
      new Promise<string>((resolve) => setTimeout(() => resolve('still running after 30 s'), 30_000)),
    ]);
    expect(code).toBe(0);
    expect(Date.now() - sentAtMs).toBeLessThan(30_000);
    expect(scaler.named('scaler.stopped')).toHaveLength(1);
    expect(scaler.rawLines).toEqual([]);
  });
});
