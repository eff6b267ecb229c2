import { policyOf } from '../config/policy-of.ts';
import type { PoolConfig } from '../config/schema.ts';
import { horizonPolicy, staticPolicy, timeToClearPolicy } from './baselines.ts';
import { type SimOptions, type SimResult, simulate } from './engine.ts';
import type { Billing } from './fleet.ts';
import { judoscaleDefaultsPolicy, judoscaleTunedPolicy } from './judoscale.ts';
import { backlogPerInstancePolicy, kedaJobsInSystemPolicy, kedaListLengthPolicy } from './keda.ts';
import { type Figures, summarize } from './metrics.ts';
import { oursPolicy, type Policy, type PoolSetup } from './policy.ts';
import type { Trace } from './trace.ts';

/**
 * DigitalOcean's basic 1 vCPU / 2 GB droplet: $12 a month of 672 hours, billed per second with a
 * minimum charge of 60 s or $0.01, whichever is higher (since 1 January 2026; see Billing).
 */
export const defaultBilling: Billing = { unit: 'second', pricePerHour: 0.01786, minimumChargeUsd: 0.01 };
/** Boot times vary by about ±15 % around the configured mean. */
const bootSigma = 0.15;
/** About 600 points per chart, whatever the trace length. */
const timelinePoints = 600;

export interface Scenario {
  trace: Trace;
  setup: PoolSetup;
  billing: Billing;
  seed: number;
  /** Jobs ready before this are left out of the wait figures (cold start). */
  warmupMs: number;
}

export interface Outcome {
  policy: string;
  figures: Figures;
  result: SimResult;
}

/** The pool's policy exactly as the scaler builds it from the config, so simulate tests what runs. */
export function poolSetup(pool: PoolConfig, tickMs: number, maxServersTotal: number): PoolSetup {
  return { policy: policyOf(pool), defaultRuntimeMs: pool.defaultRuntimeMs, tickMs, maxServersTotal };
}

/** Every policy the benchmark compares, ours first; all share the simulator, boots and billing. */
export function allPolicies(scenario: Scenario): Policy[] {
  const { setup, trace } = scenario;
  return [
    oursPolicy(setup),
    staticPolicy(setup, trace),
    kedaListLengthPolicy(setup),
    kedaJobsInSystemPolicy(setup),
    judoscaleTunedPolicy(setup),
    horizonPolicy(setup),
    backlogPerInstancePolicy(setup),
    judoscaleDefaultsPolicy(setup),
    timeToClearPolicy(setup),
  ];
}

export function runPolicy(scenario: Scenario, policy: Policy): Outcome {
  const options: SimOptions = {
    slotsPerServer: scenario.setup.policy.slotsPerServer,
    bootMs: scenario.setup.policy.bootMs,
    bootSigma,
    seed: scenario.seed,
    timelineStepMs: Math.max(1_000, Math.round(scenario.trace.horizonMs / timelinePoints)),
  };
  const result = simulate(scenario.trace, policy, options);
  return {
    policy: policy.name,
    figures: summarize(result, scenario.setup.policy.targetWaitMs, scenario.billing, scenario.warmupMs),
    result,
  };
}
