import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Provider } from '../../providers/provider.ts';
import { messageOf } from '../base/errors.ts';
import { parseConfig } from '../config/load.ts';
import type { AutoscalerConfig, AutoscalerConfigInput } from '../config/schema.ts';
import { billedHourlyCostUsd } from '../core/cost.ts';
import type { EventOf, ScalingEvent, ScalingEventName } from '../core/events.ts';
import { FencedError } from '../fleet/fleet-store.ts';
import { LearnedStore } from '../fleet/learned-store.ts';
import { advanceLifecycle } from '../fleet/lifecycle.ts';
import { PinStore } from '../fleet/pin-store.ts';
import { RolloutMarks } from '../fleet/rollout-marks.ts';
import type { ServerRecord } from '../fleet/server-record.ts';
import { reconcile } from '../reconciler/reconcile.ts';
import { connectParts, type ScalerParts } from './parts.ts';
import { sampleRound } from './sample-round.ts';
import { ScalingEvents } from './scaling-events.ts';
import { type PoolState, type ScaleContext, scalePools } from './tick.ts';

/** What /healthz reports. */
export interface AutoscalerHealth {
  role: 'leader' | 'standby';
  redisOk: boolean;
  /** When this instance last decided; undefined before its first decision as leader. */
  lastTickAtMs: number | undefined;
}

export interface AutoscalerOptions {
  /** Use this provider instead of building one from `config.provider` (tests, custom clouds). */
  provider?: Provider;
  /** Every scaling event is logged through it, one line each. */
  logger?: Logger;
  /** The clock; tests and the simulator pass their own. */
  now?: () => number;
  /**
   * Started by start() beside the scaler and closed by close(): how the operator surfaces (HTTP,
   * alerts) are composed in without the scaler knowing them. The package's `Autoscaler` passes
   * the surfaces the config turns on.
   */
  attach?: (scaler: Autoscaler) => Promise<Attachment>;
}

/** Something running beside the scaler for as long as it runs. */
export interface Attachment {
  close(): Promise<void>;
}

/**
 * The scaler: every tick it samples all pools' queues, advances server lifecycles, decides, and
 * turns the difference into provisioning jobs. `close()` stops it gracefully; servers keep running.
 */
export class Autoscaler {
  readonly config: AutoscalerConfig;
  private readonly events: ScalingEvents;
  private readonly now: () => number;
  private readonly pools = new Map<string, PoolState>();
  private readonly lastSeen = new Map<string, number>();
  private readonly orphansSeenAt = new Map<string, number>();
  private readonly instance = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  /**
   * Since when this scaler has led with Redis answering throughout; unset after a lost lease or
   * a dropped connection, and set again by the next tick that leads. See LifecycleContext.
   */
  private heartbeatsWatchedSinceMs: number | undefined;
  /** When this process last compared the provider with the records; kept across lease terms. */
  private reconciledAtMs: number | undefined;
  private parts: ScalerParts | undefined;
  private timer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private attachment: Attachment | undefined;

  constructor(
    config: AutoscalerConfig | AutoscalerConfigInput,
    private readonly options: AutoscalerOptions = {},
  ) {
    // Programmatic callers pass what they mean: environment overrides are the CLI's business.
    this.config = parseConfig(config, {});
    this.now = options.now ?? Date.now;
    this.events = new ScalingEvents(options.logger);
  }

  on<N extends ScalingEventName>(name: N, listener: (event: EventOf<N>) => void): this {
    this.events.on(name, listener);
    return this;
  }

  off<N extends ScalingEventName>(name: N, listener: (event: EventOf<N>) => void): this {
    this.events.off(name, listener);
    return this;
  }

  /** Connects, then ticks every `tickMs` until close(); the first tick runs at once. */
  async start(): Promise<void> {
    // Reuse what an earlier tick() connected: a second set of parts would hold a second lease and
    // run a second provisioning worker, fenced against the first.
    this.parts ??= await this.connect();
    this.stopped = false;
    try {
      this.attachment = await this.options.attach?.(this);
    } catch (error) {
      // A port already taken must not leave Redis connections keeping the process alive.
      await this.close();
      throw error;
    }
    this.schedule(0);
    // Three renewals per lease lifetime: one may be lost to a slow Redis and the lease still holds.
    const parts = this.parts;
    this.leaseTimer = setInterval(() => void parts.leadership.renew(), this.config.lifecycle.leaseTtlMs / 3);
  }

  /** One sample-decide-act round; start() runs it on a timer, tests may call it directly. */
  async tick(): Promise<void> {
    this.parts ??= await this.connect();
    const parts = this.parts;
    const wasLeading = parts.leadership.isLeader;
    if (!(await parts.leadership.ensure())) return;
    // A new term starts from what Redis says, not from what this process remembered last time it led.
    if (!wasLeading) this.resetMemory();
    try {
      const startedAt = performance.now();
      const sampleMs = await this.lead(parts);
      this.emit({ event: 'tick.completed', durationMs: performance.now() - startedAt, sampleMs });
    } catch (error) {
      if (!(error instanceof FencedError)) throw error;
      await parts.leadership.lose('a fleet write was fenced: another scaler holds the lease');
    }
  }

  /** Whether this scaler currently holds the cluster's lease. */
  isLeader(): boolean {
    return this.parts?.leadership.isLeader ?? false;
  }

  /** One round as leader; returns how long sampling the queues took (null when it failed). */
  private async lead(parts: ScalerParts): Promise<number | null> {
    const nowMs = this.now();
    this.heartbeatsWatchedSinceMs ??= nowMs;
    const readAt = parts.store.writes;
    const records = await parts.store.list();
    const beats = await parts.store.heartbeats(records.map((r) => r.id));
    await advanceLifecycle(this.lifecycleContext(parts), records, beats, nowMs);
    await parts.checker.sweep(nowMs);
    const sampledAt = performance.now();
    const samples = await sampleRound(parts.sampler, this.config, this.pools, nowMs, (e) => this.emit(e));
    const sampleMs = samples === undefined ? null : performance.now() - sampledAt;
    if (samples)
      await scalePools(
        this.scaleContext(parts),
        samples,
        await parts.store.listIfChanged(records, readAt),
        beats,
        nowMs,
      );
    if (samples)
      await parts.history.record(this.pools, await parts.store.listIfChanged(records, readAt), nowMs);
    // Last, and by the clock: a slow provider list must never keep a tick from scaling, nor a
    // lease regained after one make the next tick reconcile again instead of scaling.
    const everyMs = this.config.lifecycle.reconcileEveryTicks * this.config.tickMs;
    if (this.reconciledAtMs === undefined || nowMs - this.reconciledAtMs >= everyMs) {
      this.reconciledAtMs = nowMs;
      await reconcile(
        {
          config: this.config,
          store: parts.store,
          provider: parts.provider,
          emit: (e) => this.emit(e),
          orphansSeenAt: this.orphansSeenAt,
          renewLease: () => parts.leadership.ensure(),
          recordCreateFailure: (pool) => parts.provisioner.recordCreateFailure(pool),
        },
        await parts.store.listIfChanged(records, readAt),
        nowMs,
      );
    }
    return sampleMs;
  }

  private scaleContext(parts: ScalerParts): ScaleContext {
    return {
      config: this.config,
      store: parts.store,
      provisioner: parts.provisioner,
      pools: this.pools,
      emit: (e) => this.emit(e),
      serverHourlyPriceUsd: async (type) => parts.provider.serverHourlyPriceUsd?.(type),
      currentImage: async (type) => parts.provider.currentImage?.(type),
      pins: new PinStore(parts.redis, this.keySpace()),
      rollouts: new RolloutMarks(parts.redis, this.keySpace()),
      learned: new LearnedStore(parts.redis, this.keySpace()),
    };
  }

  private keySpace() {
    return { prefix: this.config.redis.bullmqPrefix, cluster: this.config.cluster };
  }

  private resetMemory(): void {
    this.pools.clear();
    this.lastSeen.clear();
    this.orphansSeenAt.clear();
    this.parts?.history.reset();
    this.heartbeatsWatchedSinceMs = undefined;
  }

  /** The fleet as recorded in Redis. */
  async servers(): Promise<ServerRecord[]> {
    this.parts ??= await this.connect();
    const parts = this.parts;
    return parts.store.list();
  }

  /** What the servers still billed cost per hour (USD); undefined when the provider cannot price them. */
  async hourlyCostUsd(): Promise<number | undefined> {
    this.parts ??= await this.connect();
    const { provider } = this.parts;
    return billedHourlyCostUsd(await this.parts.store.list(), async (type) =>
      provider.serverHourlyPriceUsd?.(type),
    );
  }

  /** Per pool, the last decision and the demand behind it. */
  poolStates(): ReadonlyMap<string, PoolState> {
    return this.pools;
  }

  /** Role, Redis reachability and when this instance last decided, for /healthz. */
  async health(): Promise<AutoscalerHealth> {
    const ping = this.parts?.redis.ping();
    const redisOk =
      ping === undefined
        ? false
        : await ping.then(
            () => true,
            () => false,
          );
    const decidedAt = [...this.pools.values()].map((p) => p.decidedAtMs ?? 0);
    const last = Math.max(0, ...decidedAt);
    return {
      role: this.isLeader() ? 'leader' : 'standby',
      redisOk,
      lastTickAtMs: last > 0 ? last : undefined,
    };
  }

  /** Stops ticking, lets running provisioning jobs finish, and disconnects. Servers keep running. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    clearInterval(this.leaseTimer);
    await this.attachment?.close();
    this.attachment = undefined;
    await this.running;
    const parts = this.parts;
    this.parts = undefined;
    if (!parts) return;
    // Hand over at once instead of making a standby wait out the lease.
    await parts.leadership.resign();
    await parts.provisioner.close();
    await parts.provider.close();
    await Promise.all([parts.redis.quit(), parts.bullRedis.quit()]);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const startedAt = Date.now();
      this.running = this.tick()
        .catch((error: unknown) => this.emit({ event: 'tick.failed', error: messageOf(error) }))
        .finally(() => this.schedule(Math.max(0, this.config.tickMs - (Date.now() - startedAt))));
    }, delayMs);
  }

  private emit(event: ScalingEvent): void {
    this.events.emit(event);
  }

  private lifecycleContext(parts: ScalerParts) {
    return {
      store: parts.store,
      provisioner: parts.provisioner,
      config: this.config,
      emit: (e: ScalingEvent) => this.emit(e),
      lastSeen: this.lastSeen,
      heartbeatsWatchedSinceMs: this.heartbeatsWatchedSinceMs ?? this.now(),
      watchStalled: (pool: string, nowMs: number) =>
        parts.checker.watch(this.config.pools.find((p) => p.name === pool)?.queues ?? [], nowMs),
    };
  }

  private async connect(): Promise<ScalerParts> {
    const parts = await connectParts({
      config: this.config,
      provider: this.options.provider,
      instance: this.instance,
      emit: (e) => this.emit(e),
      now: this.now,
      log: this.options.logger,
    });
    // A dropped connection may hide an outage in which the servers could not beat: the watch
    // starts again once Redis answers (even if the lease survived it).
    parts.redis.on('close', () => {
      this.heartbeatsWatchedSinceMs = undefined;
    });
    return parts;
  }
}
