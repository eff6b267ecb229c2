import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SentinelConnection } from '../../src/base/redis-connection.ts';
import { freePorts, RedisProcesses, redisCli, sleep } from './redis-processes.ts';

export const sentinelMasterName = 'testmaster';

/**
 * A real Sentinel set on loopback: one master, two replicas and three Sentinels (quorum 2) that
 * fail the master over one second after it stops answering. Two replicas, so that after a
 * failover the new master still has one to confirm writes (WAIT).
 */
export interface LocalSentinelSet {
  connection: SentinelConnection;
  /** The port of the Redis the Sentinels currently name as master. */
  masterPort(): number;
  /** The data nodes, master and replicas, as started. */
  dataPorts: number[];
  cli(port: number, args: string[]): string;
  /** Freezes (SIGSTOP) or thaws (SIGCONT) the replicas: the master's writes stop reaching them. */
  freezeReplicas(frozen: boolean): void;
  /** SIGKILLs the current master and waits until the Sentinels have promoted a replica. */
  failOver(afterKill?: () => void): Promise<{ oldMaster: number; newMaster: number }>;
  stop(): Promise<void>;
}

export async function startSentinelSet(): Promise<LocalSentinelSet> {
  const processes = new RedisProcesses();
  const [master = 0, ...rest] = await freePorts(6);
  const replicas = rest.slice(0, 2);
  const sentinels = rest.slice(2);
  const cli = redisCli;
  const masterPort = () => {
    const reply = cli(sentinels[0] ?? 0, ['sentinel', 'get-master-addr-by-name', sentinelMasterName]);
    return Number(reply.split('\n')[1] ?? 0);
  };
  try {
    await processes.startServer(master);
    for (const replica of replicas)
      await processes.startServer(replica, () => ['--replicaof', '127.0.0.1', String(master)]);
    await Promise.all(
      sentinels.map((port) => {
        // Sentinel rewrites its config file as it learns the topology: each needs its own.
        const file = join(processes.dir, `sentinel-${port}.conf`);
        writeFileSync(
          file,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${processes.dir}`,
            `sentinel monitor ${sentinelMasterName} 127.0.0.1 ${master} 2`,
            `sentinel down-after-milliseconds ${sentinelMasterName} 1000`,
            `sentinel failover-timeout ${sentinelMasterName} 10000`,
            '',
          ].join('\n'),
        );
        return processes.start('redis-sentinel', port, [file]);
      }),
    );
    // The replicas are in sync and every Sentinel knows of them and of the others.
    for (let i = 0; i < 200; i++) {
      const synced = replicas.every((r) => cli(r, ['info', 'replication']).includes('master_link_status:up'));
      const known = sentinels.every((p) => {
        const info = cli(p, ['sentinel', 'master', sentinelMasterName]).replace(/\n/g, ' ');
        return /num-other-sentinels 2\b/.test(info) && /num-slaves 2\b/.test(info);
      });
      if (synced && known) break;
      await sleep(100);
    }
    return {
      connection: {
        sentinel: {
          sentinels: sentinels.map((port) => ({ host: '127.0.0.1', port })),
          name: sentinelMasterName,
        },
      },
      masterPort,
      dataPorts: [master, ...replicas],
      cli,
      freezeReplicas(frozen) {
        for (const port of replicas) processes.signal(port, frozen ? 'SIGSTOP' : 'SIGCONT');
      },
      async failOver(afterKill) {
        const oldMaster = masterPort();
        await processes.kill(oldMaster);
        afterKill?.();
        for (let i = 0; i < 600; i++) {
          const now = masterPort();
          if (now !== oldMaster && now !== 0 && cli(now, ['role']).startsWith('master')) {
            return { oldMaster, newMaster: now };
          }
          await sleep(100);
        }
        throw new Error('the Sentinels did not fail the master over within 60 s');
      },
      stop: () => processes.stop(),
    };
  } catch (error) {
    await processes.stop();
    throw error;
  }
}
