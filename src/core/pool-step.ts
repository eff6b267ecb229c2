import {
  type BootEstimate,
  bootEstimateMs,
  initialBootEstimate,
  updateBootEstimate,
} from './boot-estimate.ts';
import type { BurstEpisode } from './burst-memory.ts';
import { decide, initialMemory } from './decide.ts';
import { poolDemand, type QueueEstimate, updateEstimate } from './estimators.ts';
import { lookAheadMs } from './look-ahead.ts';
import type {
  Decision,
  DecisionMemory,
  PoolDemand,
  PoolPolicy,
  QueueSample,
  ScheduleInForce,
  ServerView,
} from './types.ts';

/**
 * The one per-pool step, shared by the scaler's tick and the simulator, so that "the simulator
 * tests what runs" holds by construction: samples → estimates → learned boot time → decide().
 */

/** What one pool's policy carries from step to step; all of it can be rebuilt after a restart. */
export interface PoolStepState {
  memory: DecisionMemory;
  /** Smoothed runtime and arrival estimates, by queue. */
  estimates: ReadonlyMap<string, QueueEstimate>;
  /** Observed create → ready times: the boot time to plan with, once there are enough. */
  boot: BootEstimate;
  /** Runtimes learned before a restart (Redis), used until this run has measured its own. */
  learnedRuntimesMs: ReadonlyMap<string, number>;
}

/** What outlives a restart: runtimes per queue and the pool's recurring bursts. */
export interface Learned {
  runtimesMs: ReadonlyMap<string, number>;
  bursts: BurstEpisode[];
}

export interface PoolStepInput {
  nowMs: number;
  /** The pool's configured policy; its `bootMs` is the configured boot time. */
  policy: PoolPolicy;
  /** Runtime assumed for a queue with no completed job seen yet. */
  defaultRuntimeMs: number;
  /** This tick's samples of the pool's queues (a queue missing from them keeps its estimate). */
  samples: readonly QueueSample[];
  servers: ServerView[];
  /** create → ready durations of servers that became ready since the previous step. */
  bootsObservedMs: readonly number[];
  /** The pool's schedule window open now (config/schedules.ts), raising its minimum. */
  schedule?: ScheduleInForce | undefined;
}

export interface PoolStep {
  state: PoolStepState;
  decision: Decision;
  demand: PoolDemand;
  /** The boot time planned with: configured, or learned from this pool's servers. */
  bootMs: number;
}

export function initialPoolStepState(): PoolStepState {
  return {
    memory: initialMemory(),
    estimates: new Map(),
    boot: initialBootEstimate(),
    learnedRuntimesMs: new Map(),
  };
}

/** A fresh state that starts from what an earlier run learned. */
export function stateFromLearned(learned: Learned): PoolStepState {
  const state = initialPoolStepState();
  return {
    ...state,
    learnedRuntimesMs: learned.runtimesMs,
    memory: { ...state.memory, bursts: { ...state.memory.bursts, episodes: learned.bursts } },
  };
}

/** What to persist of a state: this run's runtimes (else the learned ones) and the bursts seen. */
export function learnedOf(state: PoolStepState): Learned {
  const runtimesMs = new Map(state.learnedRuntimesMs);
  for (const [queue, e] of state.estimates) if (e.runtimeMs !== undefined) runtimesMs.set(queue, e.runtimeMs);
  return { runtimesMs, bursts: state.memory.bursts.episodes };
}

export function poolStep(state: PoolStepState, input: PoolStepInput): PoolStep {
  const estimates = new Map(state.estimates);
  for (const s of input.samples)
    estimates.set(s.queue, updateEstimate(estimates.get(s.queue), s, input.nowMs));
  let boot = state.boot;
  for (const observedMs of input.bootsObservedMs) boot = updateBootEstimate(boot, observedMs);
  const policy = { ...input.policy, bootMs: bootEstimateMs(boot, input.policy.bootMs) };
  const demand = poolDemand([...input.samples], estimates, input.defaultRuntimeMs, state.learnedRuntimesMs);
  const decision = decide({
    nowMs: input.nowMs,
    policy,
    demand,
    servers: input.servers,
    memory: state.memory,
    schedule: input.schedule,
  });
  return {
    state: { ...state, memory: decision.memory, estimates, boot },
    decision,
    demand,
    bootMs: policy.bootMs,
  };
}

/** How far ahead the sampler should count this pool's delayed jobs: a learned boot and a margin. */
export function poolLookAheadMs(state: PoolStepState, policy: PoolPolicy): number {
  return lookAheadMs({ ...policy, bootMs: bootEstimateMs(state.boot, policy.bootMs) });
}
