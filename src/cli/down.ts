import { drainServer } from '../fleet/drain.ts';
import { FleetStore } from '../fleet/fleet-store.ts';
import { PinStore } from '../fleet/pin-store.ts';
import { poolNamed, withRedis } from './context.ts';
import { type CliIo, exitCode } from './io.ts';

interface DownFlags {
  config?: string | undefined;
  pool?: string | undefined;
  json: boolean;
}

interface PoolDown {
  pool: string;
  draining: string[];
  /** Servers not yet up (requested, creating): the pin makes the scaler drain them once they boot. */
  notYetUp: string[];
}

/**
 * `down [--pool <name>]`: every server of the cluster (or of one pool) drained — each finishes its
 * running jobs, never killed mid-job — and deleted by the scaler. The pools are pinned to 0 first,
 * so the scaler does not replace what is being drained; `scale <pool> --unpin` undoes it.
 */
export function downCommand(flags: DownFlags, io: CliIo): Promise<number> {
  return withRedis(flags.config, io, async (redis, config) => {
    const space = { prefix: config.redis.bullmqPrefix, cluster: config.cluster };
    const store = new FleetStore(redis, space);
    const pins = new PinStore(redis, space);
    const pools = flags.pool === undefined ? config.pools : [poolNamed(config, flags.pool)];
    const nowMs = Date.now();
    const records = await store.list();
    const results: PoolDown[] = [];
    for (const pool of pools) {
      await pins.set({ pool: pool.name, servers: 0, untilMs: undefined, setAtMs: nowMs });
      const result: PoolDown = { pool: pool.name, draining: [], notYetUp: [] };
      for (const record of records.filter((r) => r.pool === pool.name)) {
        if (await drainServer(store, record, 'down: drain every server', nowMs))
          result.draining.push(record.id);
        else if (record.state === 'requested' || record.state === 'creating') result.notYetUp.push(record.id);
      }
      results.push(result);
    }
    if (flags.json) io.out(JSON.stringify({ cluster: config.cluster, pools: results }, null, 2));
    else for (const line of describe(results)) io.out(line);
    return exitCode.ok;
  });
}

function describe(results: PoolDown[]): string[] {
  const lines = results.map(({ pool, draining, notYetUp }) => {
    const later = notYetUp.length === 0 ? '' : `; ${notYetUp.length} still being created, drained once up`;
    return `pool ${pool}: pinned to 0, draining ${draining.length} server(s)${later}`;
  });
  lines.push(
    'a running scaler deletes each server once its jobs are done; `bullmq-autoscaler scale <pool> --unpin` lets the policy decide again',
  );
  return lines;
}
