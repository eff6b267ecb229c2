import { Cluster, type Redis } from 'ioredis';
import { createRedisClient, type RedisConnection } from '../base/redis-connection.ts';

/**
 * Deletes every key under the prefix: BullMQ's queues and the scaler's own state (tests,
 * benchmarks, the demo). On a Redis Cluster it sweeps every master, one key at a time, since
 * keys of different slots cannot go in one command.
 */
export async function deletePrefix(where: string | RedisConnection, prefix: string): Promise<void> {
  const client = createRedisClient(typeof where === 'string' ? { url: where } : where, {
    maxRetriesPerRequest: 1,
  });
  try {
    const nodes = client instanceof Cluster ? await mastersOf(client) : [client];
    for (const node of nodes) await deleteOn(node, prefix, client instanceof Cluster);
  } finally {
    await client.quit();
  }
}

async function mastersOf(cluster: Cluster): Promise<Redis[]> {
  if (cluster.status !== 'ready') await new Promise((resolve) => cluster.once('ready', resolve));
  return cluster.nodes('master');
}

async function deleteOn(node: Redis, prefix: string, oneByOne: boolean): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0 && oneByOne) {
      const pipeline = node.pipeline();
      for (const key of keys) pipeline.unlink(key);
      await pipeline.exec();
    } else if (keys.length > 0) await node.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
