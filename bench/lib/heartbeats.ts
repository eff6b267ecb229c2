import { Redis } from 'ioredis';
import { FleetStore } from '../../src/fleet/fleet-store.ts';

/**
 * Stands in for the servers' workers: every second it writes the heartbeat each recorded server's
 * runServerWorker() would write, so the scaler sees a ready fleet without running one.
 */
export async function startHeartbeats(url: string, prefix: string, cluster: string, everyMs = 1_000) {
  const redis = new Redis(url);
  const store = new FleetStore(redis, { prefix, cluster });
  const beat = async () => {
    const records = await store.list();
    const pipeline = redis.pipeline();
    const atMs = Date.now();
    for (const record of records) {
      pipeline.set(
        store.keys.heartbeat(record.id),
        JSON.stringify({ activeJobs: 0, slots: 1, atMs }),
        'PX',
        everyMs * 5,
      );
    }
    await pipeline.exec();
  };
  const timer = setInterval(() => void beat().catch(() => undefined), everyMs);
  return {
    async stop(): Promise<void> {
      clearInterval(timer);
      await redis.quit();
    },
  };
}
