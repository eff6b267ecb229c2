import type { AutoscalerConfig } from '../config/schema.ts';
import type { ScalingEvent } from '../core/events.ts';
import { liveStates } from '../core/server-state.ts';
import { drainServer } from '../fleet/drain.ts';
import type { FleetStore } from '../fleet/fleet-store.ts';
import { requestedRecord, type ServerRecord } from '../fleet/server-record.ts';

/**
 * What a tick does to the fleet once it has decided: servers requested (records, then create
 * jobs), drains started, and what the cost cap leaves for new servers.
 */
export interface ActionContext {
  config: AutoscalerConfig;
  store: FleetStore;
  provisioner: { requestCreate(pool: string, serverIds: string[]): Promise<void> };
  emit: (event: ScalingEvent) => void;
  serverHourlyPriceUsd: (type: string) => Promise<number | undefined>;
}

/**
 * What the cost cap leaves (USD per hour): the cap less every server still billed at its type's
 * price. A billed server whose price is unknown leaves nothing: spending blind is what a cap forbids.
 */
export async function costRoomUsd(ctx: ActionContext, records: ServerRecord[]): Promise<number> {
  let spent = 0;
  for (const r of records.filter((x) => liveStates.includes(x.state))) {
    const price = await ctx.serverHourlyPriceUsd(r.type ?? 'default');
    if (price === undefined) return 0;
    spent += price;
  }
  return (ctx.config.maxHourlyCostUsd ?? 0) - spent;
}

export async function createServers(
  ctx: ActionContext,
  pool: string,
  type: string,
  count: number,
  nowMs: number,
  replacing: boolean,
): Promise<void> {
  if (count <= 0) return;
  const reason = replacing ? 'scale up or replace outdated' : 'scale up';
  const ids = await ctx.store.allocateIds(pool, count);
  const records = ids.map((id) =>
    requestedRecord({ id, name: `${ctx.config.cluster}-${id}`, pool, nowMs, reason, type }),
  );
  await ctx.store.add(records);
  for (const id of ids) ctx.emit({ event: 'server.requested', pool, serverId: id });
  await ctx.provisioner.requestCreate(pool, ids);
}

export async function drainServers(
  ctx: ActionContext,
  records: ServerRecord[],
  victims: string[],
  nowMs: number,
): Promise<void> {
  for (const id of victims) {
    const record = records.find((r) => r.id === id);
    if (record && (await drainServer(ctx.store, record, 'scale down', nowMs)))
      ctx.emit({ event: 'server.draining', pool: record.pool, serverId: id, reason: 'scale down' });
  }
}
