import {
  BudgetBusyError,
  ownerTagOf,
  type Provider,
  type ProviderServer,
  poolTagOf,
} from '../../providers/provider.ts';
import { redactUrlsIn } from '../base/redact.ts';
import type { AutoscalerConfig } from '../config/schema.ts';
import type { ScalingEvent } from '../core/events.ts';
import type { ServerState } from '../core/types.ts';
import type { FleetStore } from '../fleet/fleet-store.ts';
import { requestedRecord, type ServerRecord } from '../fleet/server-record.ts';

export interface ReconcileContext {
  config: AutoscalerConfig;
  store: FleetStore;
  provider: Provider;
  emit: (event: ScalingEvent) => void;
  /** When each unknown tagged server was first seen by this process. */
  orphansSeenAt: Map<string, number>;
  /** Renews the leader lease; false means another scaler leads now and nothing may be written. */
  renewLease: () => Promise<boolean>;
  /**
   * A server that vanished while booting never worked: a failed create, counted towards the
   * pool's create backoff and circuit breaker, so a worker that crashes on start is not replaced
   * at full speed forever.
   */
  recordCreateFailure: (pool: string) => Promise<void>;
}

/** States whose record claims a server exists at the provider. */
const existingStates: ReadonlySet<ServerState> = new Set<ServerState>([
  'booting',
  'ready',
  'draining',
  'failed',
  'hanging',
]);

/**
 * Compares the provider's servers under our ownership tag with the fleet records: a server nobody
 * tracks is a bill nobody sees, and a record without a server blocks capacity. Nothing without the
 * ownership tag is ever listed, so nothing without it can be touched.
 */
export async function reconcile(
  ctx: ReconcileContext,
  records: ServerRecord[],
  nowMs: number,
): Promise<void> {
  const listed = await deferIfBusy(ctx, () => ctx.provider.list(ownerTagOf(ctx.config.cluster)));
  if (listed === undefined) return;
  // Listing a large fleet through a slow API can outlast the lease: renew it before writing.
  if (!(await ctx.renewLease())) return;
  const byName = new Map(records.map((r) => [r.name, r]));
  const listedIds = new Set(listed.map((s) => s.providerId));
  const seenNow = new Set<string>();
  for (const server of listed) {
    const record = byName.get(server.name);
    if (record === undefined) {
      seenNow.add(server.providerId);
      await handleOrphan(ctx, server, nowMs);
    } else if (
      record.providerId === undefined &&
      (record.state === 'requested' || record.state === 'creating')
    ) {
      await adoptCreated(ctx, record, server, nowMs);
    }
  }
  for (const id of ctx.orphansSeenAt.keys()) if (!seenNow.has(id)) ctx.orphansSeenAt.delete(id);
  for (const record of records) await closeIfVanished(ctx, record, listedIds, nowMs);
}

/** The scaler died between the provider's create and recording it: the server is ours, take it. */
async function adoptCreated(
  ctx: ReconcileContext,
  record: ServerRecord,
  server: ProviderServer,
  nowMs: number,
) {
  if (
    await ctx.store.transition(record.id, 'booting', 'found at the provider', nowMs, {
      providerId: server.providerId,
    })
  ) {
    ctx.emit({
      event: 'server.adopted',
      pool: record.pool,
      serverId: record.id,
      providerId: server.providerId,
    });
  }
}

async function handleOrphan(ctx: ReconcileContext, server: ProviderServer, nowMs: number): Promise<void> {
  const firstSeen = ctx.orphansSeenAt.get(server.providerId);
  if (firstSeen === undefined) {
    ctx.orphansSeenAt.set(server.providerId, nowMs);
    ctx.emit({ event: 'orphan.found', providerId: server.providerId, name: server.name });
    if (ctx.config.lifecycle.orphanGraceMs > 0) return;
  } else if (nowMs - firstSeen < ctx.config.lifecycle.orphanGraceMs) {
    return;
  }
  ctx.orphansSeenAt.delete(server.providerId);
  const pool = ctx.config.pools.find((p) => server.tags.includes(poolTagOf(p.name)));
  if (ctx.config.lifecycle.adoptOrphans && pool !== undefined) {
    await adoptOrphan(ctx, server, pool.name, nowMs);
    return;
  }
  await ctx.provider.destroy(server.providerId);
  ctx.emit({ event: 'orphan.deleted', providerId: server.providerId, name: server.name });
}

async function adoptOrphan(ctx: ReconcileContext, server: ProviderServer, pool: string, nowMs: number) {
  const prefix = `${ctx.config.cluster}-`;
  const serverId = server.name.startsWith(prefix) ? server.name.slice(prefix.length) : server.name;
  await ctx.store.add([
    {
      ...requestedRecord({
        id: serverId,
        name: server.name,
        pool,
        nowMs,
        reason: 'adopted orphan',
        type: ctx.config.pools.find((p) => p.name === pool)?.serverType ?? 'default',
      }),
      state: 'booting',
      providerId: server.providerId,
      createdAtMs: server.createdAtMs,
      createCalledAtMs: nowMs,
      // Its image is unknown: an adopted server is replaced only by age or a restart mark.
      region: server.region,
    },
  ]);
  ctx.emit({ event: 'orphan.adopted', providerId: server.providerId, name: server.name, serverId, pool });
}

/** A record whose server is gone (destroyed by hand, reclaimed) only blocks capacity: close it. */
async function closeIfVanished(
  ctx: ReconcileContext,
  record: ServerRecord,
  listed: Set<string>,
  nowMs: number,
) {
  if (record.providerId === undefined || listed.has(record.providerId) || !existingStates.has(record.state))
    return;
  // A list can lag a create; ask once more, by id, before believing the server is gone.
  const { providerId } = record;
  const found = await deferIfBusy(ctx, async () => ({ server: await ctx.provider.get(providerId) }));
  if (found === undefined || found.server !== undefined) return;
  // A drained worker exits before the scaler deletes it: that is a scale-down ending, not a loss.
  const unexpected = record.state === 'booting' || record.state === 'ready';
  if (!unexpected) {
    await ctx.store.transition(record.id, 'deleting', 'gone at the provider after it stopped', nowMs);
    return;
  }
  const why = await ctx.provider.goneReason?.(providerId).catch(() => undefined);
  // A worker's output may quote its Redis URL: the password must not reach a log line or an alert.
  const reason =
    why === undefined ? 'vanished at the provider' : `vanished at the provider: ${redactUrlsIn(why)}`;
  if (await ctx.store.transition(record.id, 'failed', reason, nowMs)) {
    ctx.emit({ event: 'server.vanished', pool: record.pool, serverId: record.id, providerId, reason });
    if (record.state === 'booting') await ctx.recordCreateFailure(record.pool);
  }
}

/** Bookkeeping gives way to creates and destroys: a busy API budget defers it to the next round. */
async function deferIfBusy<T>(ctx: ReconcileContext, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof BudgetBusyError)) throw error;
    ctx.emit({ event: 'reconcile.deferred', reason: error.message });
    return undefined;
  }
}
