import type { PlanLimit } from './plan.ts';
import type { Decision, ServerState } from './types.ts';

/** Every scaling event, with a stable `event` name: the vocabulary of logs, the API and alerts. */
export type ScalingEvent =
  | ({ event: 'decision'; pool: string; backlog: number; oldestWaitMs: number; activeJobs: number } & Pick<
      Decision,
      'desired' | 'current' | 'reason' | 'terms'
    >)
  | {
      event: 'summary';
      pool: string;
      backlog: number;
      oldestWaitMs: number;
      activeJobs: number;
      desired: number;
      current: number;
      servers: Partial<Record<ServerState, number>>;
    }
  | { event: 'pin.applied'; pool: string; servers: number; untilMs: number | null; unpinnedDesired: number }
  | { event: 'pin.expired'; pool: string; servers: number; reason: 'expired' | 'removed' }
  | { event: 'server.requested'; pool: string; serverId: string }
  | { event: 'server.created'; pool: string; serverId: string; providerId: string; createMs: number }
  | { event: 'server.ready'; pool: string; serverId: string; bootMs: number }
  | { event: 'server.draining'; pool: string; serverId: string; reason: string }
  | { event: 'server.drained'; pool: string; serverId: string; drainMs: number }
  | { event: 'server.deleting'; pool: string; serverId: string; reason: string }
  | { event: 'server.deleted'; pool: string; serverId: string; lifetimeMs: number }
  | { event: 'server.failed'; pool: string; serverId: string; reason: string }
  | { event: 'server.hanging'; pool: string; serverId: string; reason: string }
  | {
      event: 'limit.hit';
      pool: string;
      limit: PlanLimit;
      wanted: number;
      allowed: number;
    }
  /** `queues` names the queues that failed; without it, Redis could not be read at all. */
  | { event: 'sample.failed'; error: string; queues?: string[] }
  | { event: 'tick.failed'; error: string }
  | { event: 'tick.completed'; durationMs: number; sampleMs: number | null }
  | {
      event: 'provider.error';
      operation: string;
      error: string;
      retryable: boolean;
      /** The provisioning job's try that failed (1 for the first) and how many it gets. */
      attempt?: number;
      maxAttempts?: number;
    }
  | { event: 'circuit.open'; pool: string; failures: number; untilMs: number }
  | { event: 'leader.acquired'; instance: string; fence: string }
  | { event: 'leader.lost'; instance: string; reason: string }
  | { event: 'orphan.found'; providerId: string; name: string }
  | { event: 'orphan.deleted'; providerId: string; name: string }
  | { event: 'orphan.adopted'; providerId: string; name: string; serverId: string; pool: string }
  | { event: 'server.adopted'; pool: string; serverId: string; providerId: string }
  | { event: 'server.vanished'; pool: string; serverId: string; providerId: string; reason: string }
  | { event: 'reconcile.deferred'; reason: string }
  | { event: 'rollout.started'; pool: string; outdated: number; reason: string }
  | { event: 'rollout.paused'; pool: string; outdated: number; reason: string }
  | { event: 'rollout.resumed'; pool: string; outdated: number }
  | { event: 'rollout.completed'; pool: string; replaced: number };

export type ScalingEventName = ScalingEvent['event'];
export type EventOf<N extends ScalingEventName> = Extract<ScalingEvent, { event: N }>;

/** Events an operator should look at; the rest are routine. */
export const warningEvents: ReadonlySet<ScalingEventName> = new Set([
  'server.failed',
  'server.hanging',
  'limit.hit',
  'sample.failed',
  'tick.failed',
  'provider.error',
  'circuit.open',
  'leader.lost',
  'orphan.found',
  'server.vanished',
]);

/** Events for metrics rather than people: logged at debug only (one per tick). */
export const debugEvents: ReadonlySet<ScalingEventName> = new Set(['tick.completed']);

/** Every event name at run time (docs and tests check against it); the type keeps it complete. */
const everyName: Record<ScalingEventName, true> = {
  decision: true,
  summary: true,
  'pin.applied': true,
  'pin.expired': true,
  'server.requested': true,
  'server.created': true,
  'server.ready': true,
  'server.draining': true,
  'server.drained': true,
  'server.deleting': true,
  'server.deleted': true,
  'server.failed': true,
  'server.hanging': true,
  'limit.hit': true,
  'sample.failed': true,
  'tick.failed': true,
  'tick.completed': true,
  'provider.error': true,
  'circuit.open': true,
  'leader.acquired': true,
  'leader.lost': true,
  'orphan.found': true,
  'orphan.deleted': true,
  'orphan.adopted': true,
  'server.adopted': true,
  'server.vanished': true,
  'reconcile.deferred': true,
  'rollout.started': true,
  'rollout.paused': true,
  'rollout.resumed': true,
  'rollout.completed': true,
};
export const scalingEventNames = Object.keys(everyName) as ScalingEventName[];
