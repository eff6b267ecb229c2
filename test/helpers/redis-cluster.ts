import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { ClusterConnection } from '../../src/base/redis-connection.ts';
import { freePorts, RedisProcesses, redisCli, sleep } from './redis-processes.ts';

/** A real Redis Cluster of three masters on loopback, for as long as a test file needs it. */
export interface LocalRedisCluster {
  ports: number[];
  connection: ClusterConnection;
  /** Runs redis-cli against one node (`-c` follows redirects), returning its output. */
  cli(args: string[], port?: number): string;
  stop(): Promise<void>;
}

export async function startRedisCluster(): Promise<LocalRedisCluster> {
  const processes = new RedisProcesses();
  const ports = await freePorts(3, 10_000);
  try {
    await Promise.all(
      ports.map((port) =>
        processes.startServer(port, (dir) => [
          ...['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf')],
          ...['--cluster-node-timeout', '2000'],
        ]),
      ),
    );
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { encoding: 'utf8' },
    );
    if (create.status !== 0)
      throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    const cli = (args: string[], port = ports[0] ?? 0) => redisCli(port, args);
    // Every node must agree the cluster is whole before a client may rely on its slot map.
    for (let i = 0; i < 200; i++) {
      if (ports.every((p) => cli(['cluster', 'info'], p).includes('cluster_state:ok'))) break;
      await sleep(100);
    }
    return {
      ports,
      connection: { cluster: { nodes: ports.map((port) => ({ host: '127.0.0.1', port })) } },
      cli,
      stop: () => processes.stop(),
    };
  } catch (error) {
    await processes.stop();
    throw error;
  }
}
