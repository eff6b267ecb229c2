import { pickVictims } from '../core/decide.ts';
import { plan } from '../core/plan.ts';
import { initialPoolStepState, poolLookAheadMs, poolStep } from '../core/pool-step.ts';
import { capacityStates } from '../core/server-state.ts';
import type { PoolPolicy, QueueSample, ServerView } from '../core/types.ts';

/** What a scaling policy sees at one of its ticks: exactly what the real sampler and fleet store give. */
export interface PoolView {
  nowMs: number;
  samples: QueueSample[];
  servers: ServerView[];
  /** create → ready durations of servers that became ready since the previous tick. */
  bootsObservedMs: number[];
}

export interface FleetChange {
  create: number;
  drain: string[];
  desired: number;
  reason: string;
}

/** A scaling policy plugged into the simulator: ours (decide + plan) or a peer's baseline. */
export interface Policy {
  name: string;
  /** How often it samples and acts. */
  intervalMs: number;
  /** How far ahead the sampler counts delayed jobs for it; none when absent. */
  lookAheadMs?: () => number;
  step(view: PoolView): FleetChange;
}

export interface PoolSetup {
  policy: PoolPolicy;
  defaultRuntimeMs: number;
  tickMs: number;
  maxServersTotal: number;
}

/** The production policy: the scaler's own pool step → plan(), with state carried between ticks. */
export function oursPolicy(setup: PoolSetup): Policy {
  let state = initialPoolStepState();
  return {
    name: 'ours',
    intervalMs: setup.tickMs,
    lookAheadMs: () => poolLookAheadMs(state, setup.policy),
    step(view) {
      const step = poolStep(state, {
        nowMs: view.nowMs,
        policy: setup.policy,
        defaultRuntimeMs: setup.defaultRuntimeMs,
        samples: view.samples,
        servers: view.servers,
        bootsObservedMs: view.bootsObservedMs,
      });
      state = step.state;
      const [planned] = plan({
        nowMs: view.nowMs,
        maxServersTotal: setup.maxServersTotal,
        liveServers: view.servers.length,
        pools: [{ pool: 'pool', decision: step.decision, createBlockedUntilMs: undefined }],
      });
      return {
        create: planned?.create ?? 0,
        drain: planned?.drain ?? [],
        desired: step.decision.desired,
        reason: step.decision.reason,
      };
    },
  };
}

/** Moves a fleet to a desired count the way every baseline does: create the gap or drain the best victims. */
export function towards(desired: number, servers: ServerView[], reason: string): FleetChange {
  const capacity = servers.filter((s) => capacityStates.includes(s.state));
  const gap = desired - capacity.length;
  return {
    create: Math.max(0, gap),
    drain: gap < 0 ? pickVictims(capacity, -gap) : [],
    desired,
    reason,
  };
}

export function capacityOf(servers: ServerView[]): number {
  return servers.filter((s) => capacityStates.includes(s.state)).length;
}
