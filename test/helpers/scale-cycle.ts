import { expect } from 'vitest';
import type { ClusterConnection, SentinelConnection } from '../../src/base/redis-connection.ts';
import { createRedisClient } from '../../src/base/redis-connection.ts';
import { Autoscaler } from '../../src/index.ts';
import { captureLog, type LogLine } from './capture-log.ts';
import { localCluster } from './local-cluster.ts';
import { waitFor } from './redis.ts';

export interface CycleOptions {
  /** Jobs per queue. @default 30 */
  jobsPerQueue?: number;
  /** Runs while the fleet is working through the backlog (a failover, say). */
  meanwhile?: () => Promise<void>;
}

/**
 * One whole scale-up / scale-down cycle on a real topology: a backlog from zero servers, local
 * servers whose workers connect the way the scaler tells them to, every job run exactly once, and
 * the fleet back to zero. Returns the scaler's log lines for further checks.
 */
export async function scaleCycle(
  label: string,
  topology: ClusterConnection | SentinelConnection,
  o: CycleOptions = {},
): Promise<LogLine[]> {
  const jobs = o.jobsPerQueue ?? 30;
  const cluster = localCluster(
    label,
    'test/helpers/recording-worker.ts',
    {
      queues: ['alpha', 'beta'],
      slotsPerServer: 4,
      maxServers: 3,
      scaleDownDelayMs: 1_000,
      idleToZeroMs: 2_000,
    },
    {},
    topology,
  );
  const log = captureLog();
  const scaler = new Autoscaler(cluster.config, { logger: log.logger });
  const redis = createRedisClient(topology, { maxRetriesPerRequest: null });
  try {
    for (const name of ['alpha', 'beta'])
      await cluster
        .queue(name)
        .addBulk(Array.from({ length: jobs }, (_, j) => ({ name: 'job', data: { ms: 100 + (j % 3) * 50 } })));
    await scaler.start();
    await o.meanwhile?.();
    const runs = await waitFor(
      `all ${2 * jobs} jobs to run`,
      async () => {
        const counts = await redis.hgetall(`${cluster.prefix}:test:runs`);
        return Object.keys(counts).length === 2 * jobs ? counts : undefined;
      },
      120_000,
    );
    expect(Object.entries(runs).filter(([, n]) => n !== '1')).toEqual([]);
    await waitFor('the fleet to return to zero', async () => (await scaler.servers()).length === 0, 120_000);
    expect(log.events('server.ready').length).toBeGreaterThan(0);
    // Every process that ever ran as a server ran under its own server id: none was started twice.
    const starts = await redis.smembers(`${cluster.prefix}:test:starts`);
    const ids = starts.map((s) => s.split(':')[0]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(new Set(log.events('server.requested').map((e) => e.serverId)).size);
    return log.lines;
  } finally {
    await scaler.close();
    await redis.quit();
    await cluster.cleanup();
  }
}
