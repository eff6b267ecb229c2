import type { AutoscalerConfig } from '../config/schema.ts';
import type { ScalingEvent } from '../core/events.ts';
import type { Heartbeat } from '../core/heartbeat.ts';
import { drainServer } from './drain.ts';
import type { FleetStore } from './fleet-store.ts';
import type { ServerRecord } from './server-record.ts';

/** A record still `requested` this long after it was written lost its create job. */
const requeueAfterMs = 30_000;

/**
 * What the lifecycle asks of provisioning, declared here so the fleet depends on no layer above
 * it: the scaler hands in its Provisioner, which satisfies this.
 */
export interface ProvisioningPort {
  /** Enqueues the create job of recorded servers again (idempotent: job ids derive from server ids). */
  requestCreate(pool: string, serverIds: string[]): Promise<void>;
  /** Enqueues a server's destroy job (idempotent). */
  requestDestroy(serverId: string): Promise<void>;
  /** A server of the pool became ready: its create succeeded, so the pool's backoff resets. */
  recordCreateSuccess(pool: string): Promise<void>;
  /** A server of the pool never came up: counts towards the pool's create backoff and circuit. */
  recordCreateFailure(pool: string): Promise<void>;
}

export interface LifecycleContext {
  store: FleetStore;
  provisioner: ProvisioningPort;
  config: AutoscalerConfig;
  emit: (event: ScalingEvent) => void;
  /** When each ready server's heartbeat was last seen, by this scaler process. */
  lastSeen: Map<string, number>;
  /**
   * Since when this scaler has had Redis answering without a break, as leader. Heartbeats missed
   * before then (Redis down, another scaler's term) are held against no server: after an outage
   * every heartbeat key may have expired while the servers worked on, so each gets a full
   * heartbeatLostMs (plus workerReconnectMs) from here to be heard again.
   */
  heartbeatsWatchedSinceMs: number;
  /** Watches a pool's queues for jobs a lost server left active. */
  watchStalled: (pool: string, nowMs: number) => Promise<void>;
}

/**
 * Moves servers along by what they report and by the clock: booting → ready on a heartbeat,
 * draining → deleting once drained, and anything past its deadline out of the fleet.
 */
export async function advanceLifecycle(
  ctx: LifecycleContext,
  records: ServerRecord[],
  beats: Map<string, Heartbeat>,
  nowMs: number,
): Promise<void> {
  const drained = await ctx.store.drainedServers(
    records.filter((r) => r.state === 'draining').map((r) => r.id),
  );
  const interrupted = await ctx.store.interruptedServers(
    records.filter((r) => r.state === 'ready' || r.state === 'booting').map((r) => r.id),
  );
  for (const record of records) {
    if (beats.has(record.id)) ctx.lastSeen.set(record.id, nowMs);
    const notice = interrupted.get(record.id);
    // The server is draining itself before its cloud takes it back: count it as leaving now, so
    // this very tick's decision orders its replacement.
    if (notice !== undefined && (await drainServer(ctx.store, record, `spot notice: ${notice}`, nowMs))) {
      ctx.emit({ event: 'server.draining', pool: record.pool, serverId: record.id, reason: 'spot notice' });
      continue;
    }
    await advance(ctx, record, beats.has(record.id), drained.has(record.id), nowMs);
  }
}

async function advance(
  ctx: LifecycleContext,
  r: ServerRecord,
  alive: boolean,
  drained: boolean,
  nowMs: number,
): Promise<void> {
  const { lifecycle } = ctx.config;
  const since = (t: number | undefined) => nowMs - (t ?? r.updatedAtMs);
  switch (r.state) {
    case 'requested':
      // Its create job was lost (a crash between the record and the job): enqueue it again.
      if (since(r.updatedAtMs) > requeueAfterMs) await ctx.provisioner.requestCreate(r.pool, [r.id]);
      return;
    case 'creating':
      if (since(r.createCalledAtMs) > lifecycle.createTimeoutMs) {
        await hang(
          ctx,
          r,
          `create call unanswered for ${Math.round(since(r.createCalledAtMs) / 1000)}s`,
          nowMs,
        );
      }
      return;
    case 'booting':
      if (
        alive &&
        (await ctx.store.transition(r.id, 'ready', 'worker heartbeat', nowMs, { readyAtMs: nowMs }))
      ) {
        ctx.emit({ event: 'server.ready', pool: r.pool, serverId: r.id, bootMs: since(r.createCalledAtMs) });
        await ctx.provisioner.recordCreateSuccess(r.pool);
      } else if (!alive && since(r.updatedAtMs) > lifecycle.bootTimeoutMs) {
        // Counted from the provider's answer: a create slowed by retries (its own deadline) or
        // adopted after scaler crashes must still get its full boot time.
        await hang(
          ctx,
          r,
          `not ready ${Math.round(since(r.updatedAtMs) / 1000)}s after it was created`,
          nowMs,
        );
      }
      return;
    case 'ready':
      if (!alive && since(lastHeard(ctx, r, r.readyAtMs)) > lifecycle.heartbeatLostMs) {
        await remove(ctx, r, 'failed', 'heartbeat lost', nowMs);
      }
      return;
    case 'draining':
      if (drained) {
        ctx.emit({
          event: 'server.drained',
          pool: r.pool,
          serverId: r.id,
          drainMs: since(r.drainStartedAtMs),
        });
        await remove(ctx, r, 'deleting', 'drained', nowMs);
      } else if (since(r.drainStartedAtMs) > lifecycle.drainTimeoutMs) {
        await remove(ctx, r, 'deleting', 'drain deadline passed', nowMs);
      } else if (!alive && since(lastHeard(ctx, r, r.drainStartedAtMs)) > lifecycle.heartbeatLostMs) {
        // Nothing alive to wait for: a server drained while booting whose worker never came up, or
        // one that died draining. Its jobs, if any, go back to the queue through the stalled checker.
        await remove(ctx, r, 'deleting', 'no heartbeat while draining', nowMs);
      }
      return;
    case 'failed':
    case 'hanging':
      await remove(ctx, r, 'deleting', `replacing ${r.state} server`, nowMs);
      return;
    case 'deleting':
      await ctx.provisioner.requestDestroy(r.id); // idempotent: same job id
      return;
    default:
      return;
  }
}

/**
 * How much later than the scaler a worker may get Redis back: ioredis waits up to 2 s between
 * reconnect attempts, so after an outage the workers' clients answer up to that long after ours.
 */
export const workerReconnectMs = 2_000;

/** When the server was last heard from, or could have been: never before the watch began. */
function lastHeard(ctx: LifecycleContext, r: ServerRecord, fallbackMs: number | undefined): number {
  const watched = ctx.heartbeatsWatchedSinceMs + workerReconnectMs;
  return Math.max(ctx.lastSeen.get(r.id) ?? fallbackMs ?? r.updatedAtMs, watched);
}

/** A server stuck creating or booting is a failed create: it counts towards the pool's backoff. */
async function hang(ctx: LifecycleContext, r: ServerRecord, reason: string, nowMs: number): Promise<void> {
  if (await ctx.store.transition(r.id, 'hanging', reason, nowMs)) {
    ctx.emit({ event: 'server.hanging', pool: r.pool, serverId: r.id, reason });
    await ctx.provisioner.recordCreateFailure(r.pool);
  }
}

async function remove(
  ctx: LifecycleContext,
  r: ServerRecord,
  to: 'failed' | 'deleting',
  reason: string,
  nowMs: number,
): Promise<void> {
  if (!(await ctx.store.transition(r.id, to, reason, nowMs))) return;
  if (to === 'failed') {
    ctx.emit({ event: 'server.failed', pool: r.pool, serverId: r.id, reason });
    return; // the next tick moves it on to deleting
  }
  ctx.emit({ event: 'server.deleting', pool: r.pool, serverId: r.id, reason });
  // A server leaving without a clean drain may leave active jobs behind: watch its queues.
  if (reason !== 'drained') await ctx.watchStalled(r.pool, nowMs);
  await ctx.store.signalDrain(r.id);
  await ctx.provisioner.requestDestroy(r.id);
}
