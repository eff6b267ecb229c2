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
  /** The pool's two queues. @default ['alpha', 'beta'] */
  queues?: [string, string];
  /** How long each job runs, at the least. @default 100 */
  jobMs?: number;
  /**
   * Runs once the first jobs have run, while the fleet works through the backlog (a failover, say).
   * A job may then run twice (BullMQ is at-least-once: a completion the old master acknowledged
   * and lost is redone), but none may be lost and no server may run twice.
   */
  meanwhile?: (jobsRun: () => Promise<number>) => Promise<void>;
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
  const queues = o.queues ?? ['alpha', 'beta'];
  const cluster = localCluster(
    label,
    'test/helpers/recording-worker.ts',
    {
      queues,
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
  // The test's own reader. ioredis ends a Sentinel client for good when a reconnect through the
  // Sentinels fails mid-failover (seen once in a full run); a new one is made then, since what is
  // under test is the scaler and its servers, not this reader.
  let reader = createRedisClient(topology, { maxRetriesPerRequest: null });
  const redis = () => {
    if (reader.status === 'end') reader = createRedisClient(topology, { maxRetriesPerRequest: null });
    return reader;
  };
  try {
    for (const name of queues)
      await cluster.queue(name).addBulk(
        Array.from({ length: jobs }, (_, j) => ({
          name: 'job',
          data: { ms: (o.jobMs ?? 100) + (j % 3) * 50 },
        })),
      );
    await scaler.start();
    if (o.meanwhile) {
      await waitFor(
        'the first jobs to run',
        async () => (await redis().hlen(`${cluster.prefix}:test:runs`)) >= 10,
      );
      await o.meanwhile(() => redis().hlen(`${cluster.prefix}:test:runs`));
    }
    const runs = await waitFor(
      `all ${2 * jobs} jobs to run`,
      async () => {
        const counts = await redis().hgetall(`${cluster.prefix}:test:runs`);
        return Object.keys(counts).length === 2 * jobs ? counts : undefined;
      },
      120_000,
    );
    expect(Object.entries(runs).filter(([, n]) => (o.meanwhile ? Number(n) < 1 : n !== '1'))).toEqual([]);
    await waitFor('the fleet to return to zero', async () => (await scaler.servers()).length === 0, 120_000);
    // Back at zero, nothing is running: every job has completed, none failed.
    const counts = await Promise.all(
      queues.map((name) => cluster.queue(name).getJobCounts('completed', 'failed', 'wait', 'active')),
    );
    expect(counts).toEqual([0, 1].map(() => ({ completed: jobs, failed: 0, wait: 0, active: 0 })));
    expect(log.events('server.ready').length).toBeGreaterThan(0);
    // Every process that ever ran as a server ran under its own server id: none was started twice.
    const starts = await redis().smembers(`${cluster.prefix}:test:starts`);
    const ids = starts.map((s) => s.split(':')[0]);
    expect(new Set(ids).size).toBe(ids.length);
    // A failover may lose the newest records; without one, every requested server started once.
    if (!o.meanwhile)
      expect(ids.length).toBe(new Set(log.events('server.requested').map((e) => e.serverId)).size);
    return log.lines;
  } catch (error) {
    // What held the cycle up, for whoever reads a red run.
    console.error(log.lines.slice(-15).map((l) => [l.event, l.serverId, l.reason, l.error, l.queues]));
    throw error;
  } finally {
    await scaler.close();
    reader.disconnect();
    await cluster.cleanup();
  }
}
