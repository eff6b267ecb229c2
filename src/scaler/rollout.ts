import type { PoolConfig } from '../config/schema.ts';
import type { ScalingEvent } from '../core/events.ts';
import type { Heartbeat } from '../core/heartbeat.ts';
import { type RolloutServer, type RolloutStep, rolloutStep } from '../core/rollout.ts';
import { capacityStates } from '../core/server-state.ts';
import type { Decision } from '../core/types.ts';
import type { ServerRecord } from '../fleet/server-record.ts';

/** What a pool's rollout looked like at the last tick, to log when one starts, pauses or ends. */
export interface RolloutMemory {
  outdated: number;
  paused: boolean;
  /** Outdated servers drained since the rollout started. */
  replaced: number;
  /** The desired count the rollout worked towards at the last tick. */
  base: number | undefined;
}

export function newRolloutMemory(): RolloutMemory {
  return { outdated: 0, paused: false, replaced: 0, base: undefined };
}

/** Why a server is outdated, or undefined when it runs what its pool would create today. */
export function outdatedBecause(
  record: ServerRecord,
  pool: PoolConfig,
  o: { currentImage: string | undefined; restartedAtMs: number | undefined; nowMs: number },
): string | undefined {
  if (!capacityStates.includes(record.state)) return undefined;
  if ((record.type ?? 'default') !== pool.serverType) return 'server type changed';
  // A server whose image is not known yet (still being created, or adopted) is given the benefit
  // of the doubt: it is created from today's image, or is looked at again once known.
  if (o.currentImage !== undefined && record.image !== undefined && record.image !== o.currentImage)
    return 'new image';
  if (o.restartedAtMs !== undefined && record.createdAtMs < o.restartedAtMs) return 'rollout restart';
  const bornAtMs = record.readyAtMs ?? record.createdAtMs;
  if (pool.maxServerAgeMs !== undefined && o.nowMs - bornAtMs > pool.maxServerAgeMs) return 'max age';
  return undefined;
}

export interface PoolRollout {
  pool: PoolConfig;
  decision: Decision;
  records: ServerRecord[];
  beats: Map<string, Heartbeat>;
  oldestWaitMs: number;
  currentImage: string | undefined;
  restartedAtMs: number | undefined;
  nowMs: number;
}

/** The pool's decision with its rollout applied, and the rollout events of this tick. */
export function rolloutPool(
  p: PoolRollout,
  memory: RolloutMemory,
): { step: RolloutStep; events: ScalingEvent[]; memory: RolloutMemory } {
  const reasons = new Map<string, string>();
  const servers: RolloutServer[] = p.records.map((r) => {
    const why = outdatedBecause(r, p.pool, p);
    if (why !== undefined) reasons.set(r.id, why);
    return {
      id: r.id,
      state: r.state,
      createdAtMs: r.createdAtMs,
      activeJobs: p.beats.get(r.id)?.activeJobs ?? 0,
      outdated: why !== undefined,
    };
  });
  const step = rolloutStep({
    decision: p.decision,
    servers,
    maxSurge: p.pool.maxSurge,
    maxServers: p.pool.maxServers,
    waitOverTarget: p.oldestWaitMs > p.pool.targetWaitMs,
    previousBase: memory.base,
  });
  const pool = p.pool.name;
  const events: ScalingEvent[] = [];
  const replaced = memory.replaced + step.replaced.length;
  if (memory.outdated === 0 && step.outdated > 0) {
    const why = [...new Set(reasons.values())].join(', ');
    events.push({ event: 'rollout.started', pool, outdated: step.outdated, reason: why });
  }
  if (step.outdated > 0 && step.paused && !memory.paused) {
    events.push({
      event: 'rollout.paused',
      pool,
      outdated: step.outdated,
      reason: 'oldest wait over target: replacing servers now would cost capacity',
    });
  }
  if (step.outdated > 0 && !step.paused && memory.paused)
    events.push({ event: 'rollout.resumed', pool, outdated: step.outdated });
  if (memory.outdated > 0 && step.outdated === 0) events.push({ event: 'rollout.completed', pool, replaced });
  return {
    step,
    events,
    memory: {
      outdated: step.outdated,
      paused: step.paused,
      replaced: step.outdated === 0 ? 0 : replaced,
      base: step.base,
    },
  };
}
