import type { AutoscalerConfig } from '../config/schema.ts';
import type { EventOf, ScalingEventName } from '../core/events.ts';
import type { Pin } from '../core/pins.ts';
import type { Decision, ScheduleInForce } from '../core/types.ts';
import type { ServerRecord } from '../fleet/server-record.ts';

/**
 * What the surfaces (HTTP, status page, metrics, alerts) read from a scaler. Declared here, by
 * the surfaces, so they depend on this small shape and never on the scaler: the Autoscaler
 * satisfies it where the two are composed (src/index.ts), and anything else that does (a
 * read-only view over Redis, a test double) can be served the same way.
 */
export interface ScalerView {
  readonly config: AutoscalerConfig;
  health(): Promise<ScalerHealth>;
  isLeader(): boolean;
  servers(): Promise<ServerRecord[]>;
  /** Per pool, the last decision and the demand behind it (empty on a standby). */
  poolStates(): ReadonlyMap<string, PoolStatusView>;
  /** What the servers still billed cost per hour (USD); undefined when the provider cannot price them. */
  hourlyCostUsd(): Promise<number | undefined>;
  on<N extends ScalingEventName>(name: N, listener: (event: EventOf<N>) => void): unknown;
  off<N extends ScalingEventName>(name: N, listener: (event: EventOf<N>) => void): unknown;
}

/** What /healthz reports. */
export interface ScalerHealth {
  role: 'leader' | 'standby';
  redisOk: boolean;
  /** When this instance last decided; undefined before its first decision as leader. */
  lastTickAtMs: number | undefined;
}

/** One pool as the surfaces show it. */
export interface PoolStatusView {
  last: Pick<Decision, 'desired' | 'current' | 'reason'> | undefined;
  lastDemand: { backlog: number; oldestWaitMs: number; activeJobs: number } | undefined;
  /** Queues of the pool that were paused at the last tick. */
  pausedQueues: readonly string[];
  /** The operator's pin applied at the last tick. */
  pin: Pin | undefined;
  /** The pool's schedule window open at the last tick (config `schedules`). */
  schedule?: ScheduleInForce | undefined;
}

/** Listens to one event and returns how to stop, so a surface can undo all it subscribed. */
export function subscribe<N extends ScalingEventName>(
  scaler: ScalerView,
  name: N,
  listener: (event: EventOf<N>) => void,
): () => void {
  scaler.on(name, listener);
  return () => {
    scaler.off(name, listener);
  };
}
