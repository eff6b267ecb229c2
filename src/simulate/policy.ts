import { bootEstimateMs, initialBootEstimate, updateBootEstimate } from '../core/boot-estimate.ts';
import { decide, initialMemory, pickVictims } from '../core/decide.ts';
import { poolDemand, type QueueEstimate, updateEstimate } from '../core/estimators.ts';
import { plan } from '../core/plan.ts';
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
  step(view: PoolView): FleetChange;
}

export interface PoolSetup {
  policy: PoolPolicy;
  defaultRuntimeMs: number;
  tickMs: number;
  maxServersTotal: number;
}

/** The production policy: estimators → decide() → plan(), with state carried between ticks. */
export function oursPolicy(setup: PoolSetup): Policy {
  const estimates = new Map<string, QueueEstimate>();
  let memory = initialMemory();
  let boots = initialBootEstimate();
  return {
    name: 'ours',
    intervalMs: setup.tickMs,
    step(view) {
      for (const s of view.samples)
        estimates.set(s.queue, updateEstimate(estimates.get(s.queue), s, view.nowMs));
      for (const b of view.bootsObservedMs) boots = updateBootEstimate(boots, b);
      const policy = { ...setup.policy, bootMs: bootEstimateMs(boots, setup.policy.bootMs) };
      const demand = poolDemand(view.samples, estimates, setup.defaultRuntimeMs);
      const decision = decide({ nowMs: view.nowMs, policy, demand, servers: view.servers, memory });
      memory = decision.memory;
      const [planned] = plan({
        nowMs: view.nowMs,
        maxServersTotal: setup.maxServersTotal,
        liveServers: view.servers.length,
        pools: [{ pool: 'pool', decision, createBlockedUntilMs: undefined }],
      });
      return {
        create: planned?.create ?? 0,
        drain: planned?.drain ?? [],
        desired: decision.desired,
        reason: decision.reason,
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
