import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { createLocalProcessProvider } from '../../providers/local-process/index.ts';
import { ownerTagOf, type Provider } from '../../providers/provider.ts';
import {
  type ClusterConnection,
  createRedisClient,
  hasHashTag,
  type RedisClient,
  type RedisConnection,
  type SentinelConnection,
} from '../../src/base/redis-connection.ts';
import type { AutoscalerConfigInput } from '../../src/config/schema.ts';
import { deletePrefix, redisUrl, uniquePrefix } from './redis.ts';

type PoolInput = AutoscalerConfigInput['pools'][number];

export interface LocalCluster {
  url: string;
  prefix: string;
  stateDir: string;
  config: AutoscalerConfigInput;
  /** The same provider the scaler uses, to look at the fleet from outside. */
  provider: Provider;
  queue(name: string): Queue;
  /** Writes the config to a file, for scalers started as processes. */
  configFile(): string;
  cleanup(): Promise<void>;
}

/**
 * A scaler cluster on the local-process provider with its own key prefix and state folder, and a
 * cleanup that destroys every server it left and deletes every key.
 */
export function localCluster(
  label: string,
  workerEntry: string,
  pool: Partial<PoolInput>,
  overrides: Partial<AutoscalerConfigInput> = {},
  /** A Redis Cluster or Sentinel set to run on instead of the shared Redis. */
  topology?: ClusterConnection | SentinelConnection,
): LocalCluster {
  const url = redisUrl();
  const clusterName = uniquePrefix(label);
  // Under Redis Cluster BullMQ needs a hash tag in the prefix unless every queue name has one.
  const queuesTagged = (pool.queues ?? ['alpha']).every(hasHashTag);
  const prefix =
    topology !== undefined && 'cluster' in topology && !queuesTagged ? `{${clusterName}}` : clusterName;
  const connection: RedisConnection = topology ?? { url };
  const stateDir = mkdtempSync(join(tmpdir(), 'bullmq-autoscaler-'));
  const config: AutoscalerConfigInput = {
    cluster: clusterName,
    redis: { ...redisConfigOf(connection), bullmqPrefix: prefix },
    tickMs: 200,
    provider: {
      type: 'local-process',
      workerEntry: resolve(workerEntry),
      bootDelayMs: 200,
      stateDir,
      killGraceMs: 2_000,
    },
    pools: [
      {
        name: 'main',
        queues: ['alpha'],
        slotsPerServer: 2,
        maxServers: 3,
        targetWaitMs: 3_000,
        bootSeconds: 1,
        scaleDownDelayMs: 1_000,
        idleToZeroMs: 1_500,
        defaultRuntimeMs: 100,
        ...pool,
      },
    ],
    ...overrides,
  };
  const provider = createLocalProcessProvider({
    workerEntry: resolve(workerEntry),
    stateDir,
    cluster: clusterName,
    killGraceMs: 2_000,
  });
  const queues: Queue[] = [];
  const clients: RedisClient[] = [];
  return {
    url,
    prefix,
    stateDir,
    config,
    provider,
    queue(name) {
      const client = createRedisClient(connection, { maxRetriesPerRequest: null });
      clients.push(client);
      const queue = new Queue(name, { connection: client, prefix });
      queues.push(queue);
      return queue;
    },
    configFile() {
      const path = join(stateDir, 'autoscaler.config.json');
      writeFileSync(path, JSON.stringify(config));
      return path;
    },
    async cleanup() {
      await Promise.all(queues.map((q) => q.close()));
      await Promise.all(clients.map((c) => c.quit()));
      for (const server of await provider.list(ownerTagOf(clusterName)))
        await provider.destroy(server.providerId);
      await deletePrefix(connection, prefix);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** The config's `redis` for a connection (without secrets: the test topologies have none). */
function redisConfigOf(connection: RedisConnection): AutoscalerConfigInput['redis'] {
  if ('url' in connection) return { url: connection.url };
  if ('cluster' in connection) return { cluster: { nodes: connection.cluster.nodes } };
  return { sentinel: { sentinels: connection.sentinel.sentinels, name: connection.sentinel.name } };
}
