import type { AutoscalerConfig } from '../config/schema.ts';
import { allStates, capacityStates } from '../core/server-state.ts';
import type { ServerState } from '../core/types.ts';
import { FleetStore } from '../fleet/fleet-store.ts';
import { PinStore } from '../fleet/pin-store.ts';
import { withRedis } from './context.ts';
import { type CliIo, exitCode, UsageError } from './io.ts';
import { pinUntil } from './scale.ts';

interface Flags {
  config?: string;
  json?: boolean;
  history?: string;
}

function withStore<T>(
  flags: Flags,
  io: CliIo,
  run: (store: FleetStore, config: AutoscalerConfig, pins: PinStore) => Promise<T>,
): Promise<T> {
  return withRedis(flags.config, io, (redis, config) => {
    const space = { prefix: config.redis.bullmqPrefix, cluster: config.cluster };
    return run(new FleetStore(redis, space), config, new PinStore(redis, space));
  });
}

/** `servers`: the fleet as recorded, or one server's audit trail with --history. */
export function serversCommand(flags: Flags, io: CliIo): Promise<number> {
  return withStore(flags, io, async (store) => {
    if (flags.history !== undefined) {
      const entries = await store.history(flags.history);
      if (entries.length === 0)
        throw new UsageError(`--history: no audit entries for server "${flags.history}"`);
      if (flags.json) io.out(JSON.stringify(entries, null, 2));
      else
        for (const e of entries)
          io.out(`${new Date(e.atMs).toISOString()}  ${e.from || '(new)'} → ${e.to}  ${e.reason}`);
      return exitCode.ok;
    }
    const servers = await store.list();
    if (flags.json) io.out(JSON.stringify(servers, null, 2));
    else if (servers.length === 0) io.out('no servers');
    else {
      io.out(['ID', 'POOL', 'STATE', 'TYPE', 'REGION', 'IMAGE', 'PROVIDER ID', 'AGE', 'REASON'].join('\t'));
      for (const s of servers) {
        const age = `${Math.round((Date.now() - s.createdAtMs) / 1000)}s`;
        const placed = [s.type ?? 'default', s.region ?? '-', s.image ?? '-'];
        io.out([s.id, s.pool, s.state, ...placed, s.providerId ?? '-', age, s.reason].join('\t'));
      }
    }
    return exitCode.ok;
  });
}

/** `status`: per pool, the last decision, its reason and the servers by state. */
export function statusCommand(flags: Flags, io: CliIo): Promise<number> {
  return withStore(flags, io, async (store, config, pinStore) => {
    const servers = await store.list();
    const pins = await pinStore.active(
      config.pools.map((p) => p.name),
      Date.now(),
    );
    const pools = await Promise.all(
      config.pools.map(async (pool) => {
        const mine = servers.filter((s) => s.pool === pool.name);
        const byState = Object.fromEntries(
          [...new Set(mine.map((s) => s.state))].map((state) => [
            state,
            mine.filter((s) => s.state === state).length,
          ]),
        );
        return {
          pool: pool.name,
          queues: pool.queues,
          servers: byState,
          pin: pins.get(pool.name) ?? null,
          lastDecision: await store.lastDecision(pool.name),
        };
      }),
    );
    if (flags.json) {
      io.out(JSON.stringify({ cluster: config.cluster, pools }, null, 2));
      return exitCode.ok;
    }
    for (const p of pools) {
      const capacity = capacityStates.reduce((n, s) => n + (p.servers[s] ?? 0), 0);
      io.out(`pool ${p.pool} (${p.queues.join(', ')}): ${capacity} server(s)${countsText(p.servers)}`);
      if (p.pin) io.out(`  pinned to ${p.pin.servers} ${pinUntil(p.pin.untilMs)}`);
      io.out(
        p.lastDecision
          ? `  last decision: ${String(p.lastDecision.reason)}`
          : '  no recent decision: is a scaler running?',
      );
    }
    return exitCode.ok;
  });
}

/** ` — 6 ready, 2 booting, 1 draining`, states in lifecycle order; nothing for an empty pool. */
export function countsText(byState: Partial<Record<ServerState, number>>): string {
  const parts = allStates.filter((s) => (byState[s] ?? 0) > 0).map((s) => `${byState[s]} ${s}`);
  return parts.length === 0 ? '' : ` — ${parts.join(', ')}`;
}
