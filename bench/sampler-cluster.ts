import type { Cluster } from 'ioredis';
import { createRedisClient } from '../src/base/redis-connection.ts';
import { keySlot } from '../src/sampler/key-slot.ts';
import { QueueSampler } from '../src/sampler/queue-sampler.ts';
import { startRedisCluster } from '../test/helpers/redis-cluster.ts';
import { CountingProxy } from './lib/counting-proxy.ts';
import { populateQueues, queueNames } from './lib/queues.ts';
import { benchPrefix } from './lib/redis.ts';
import { percentile } from './lib/stats.ts';

export interface ClusterMeasure {
  queues: number;
  slots: number;
  nodes: number;
  p50Ms: number;
  p95Ms: number;
  /** Round trips each node saw for one sample, in node order. */
  roundTripsPerNode: number[];
  /** Script calls each node ran for one sample. */
  commandsPerNode: number[];
}

/**
 * The sampler on a real three-master Redis Cluster, queues hash-tagged one by one (`{q0000}`) so
 * they spread over the cluster's slots. Time on direct connections; round trips and commands
 * through one counting proxy per node, the cluster client reaching the nodes through natMap.
 */
export async function clusterSamplerMeasure(count: number, reps: number): Promise<ClusterMeasure> {
  const cluster = await startRedisCluster();
  const proxies = await Promise.all(
    cluster.ports.map((port) => new CountingProxy({ host: '127.0.0.1', port }).start()),
  );
  const natMap = Object.fromEntries(
    cluster.ports.map((port, i) => [`127.0.0.1:${port}`, { host: '127.0.0.1', port: proxies[i]?.port ?? 0 }]),
  );
  const direct = createRedisClient(cluster.connection, { maxRetriesPerRequest: null }) as Cluster;
  const proxied = createRedisClient(
    { cluster: { nodes: proxies.map((p) => ({ host: '127.0.0.1', port: p.port })), natMap } },
    { maxRetriesPerRequest: null },
  );
  const prefix = benchPrefix('sampler-cluster');
  const names = queueNames(count).map((name) => `{${name}}`);
  try {
    const began = performance.now();
    await populateQueues(direct, prefix, names);
    console.log(
      `sampler: ${count} Cluster queues populated in ${((performance.now() - began) / 1000).toFixed(1)} s`,
    );
    const timedSampler = new QueueSampler(direct, prefix);
    for (let i = 0; i < 3; i++) await timedSampler.sample(names, Date.now());
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const start = performance.now();
      await timedSampler.sample(names, Date.now());
      times.push(performance.now() - start);
    }
    const countedSampler = new QueueSampler(proxied, prefix);
    await countedSampler.sample(names, Date.now());
    for (const p of proxies) p.take();
    await countedSampler.sample(names, Date.now());
    const counts = proxies.map((p) => p.take());
    return {
      queues: count,
      slots: new Set(names.map((n) => keySlot(`${prefix}:${n}:meta`))).size,
      nodes: cluster.ports.length,
      p50Ms: percentile(times, 50),
      p95Ms: percentile(times, 95),
      roundTripsPerNode: counts.map((c) => c.roundTrips),
      commandsPerNode: counts.map((c) => c.commands),
    };
  } finally {
    await Promise.all([direct.quit(), proxied.quit()]);
    await Promise.all(proxies.map((p) => p.close()));
    await cluster.stop();
  }
}
