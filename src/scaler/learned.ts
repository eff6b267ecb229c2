import { policyOf } from '../config/policy-of.ts';
import type { AutoscalerConfig } from '../config/schema.ts';
import {
  initialPoolStepState,
  learnedOf,
  type PoolStepState,
  poolLookAheadMs,
  stateFromLearned,
} from '../core/pool-step.ts';
import type { LearnedStore } from '../fleet/learned-store.ts';

/**
 * Learned runtimes and bursts are written this often, not every tick: a restart loses at most a
 * minute of learning, and the tick's Redis writes stay what they were.
 */
const learnedSaveEveryMs = 60_000;

/** The part of a pool's tick state this module reads and writes. */
interface Learning {
  step: PoolStepState;
  learnedSavedAtMs?: number | undefined;
}

/**
 * How far ahead one sample counts delayed jobs: the longest of the pools' look-aheads (one learned
 * boot and a margin). A pool with a shorter boot sees a few jobs early: they are due within its
 * boot and a half anyway.
 */
export function sampleLookAheadMs(config: AutoscalerConfig, pools: ReadonlyMap<string, Learning>): number {
  return Math.max(
    0,
    ...config.pools.map((p) =>
      poolLookAheadMs(pools.get(p.name)?.step ?? initialPoolStepState(), policyOf(p)),
    ),
  );
}

/** Pools this scaler has not led yet start from what earlier runs learned (one read per pool, once). */
export async function learnedSteps(
  store: LearnedStore | undefined,
  config: AutoscalerConfig,
  known: ReadonlyMap<string, unknown>,
): Promise<Map<string, PoolStepState>> {
  const steps = new Map<string, PoolStepState>();
  if (store === undefined) return steps;
  for (const pool of config.pools) {
    if (!known.has(pool.name))
      steps.set(pool.name, stateFromLearned(await store.load(pool.name, pool.queues)));
  }
  return steps;
}

/** Writes what the pool learned, at most once per learnedSaveEveryMs. */
export async function saveLearned(
  store: LearnedStore | undefined,
  pool: string,
  state: Learning,
  nowMs: number,
): Promise<void> {
  if (
    store === undefined ||
    nowMs - (state.learnedSavedAtMs ?? Number.NEGATIVE_INFINITY) < learnedSaveEveryMs
  )
    return;
  await store.save(pool, learnedOf(state.step));
  state.learnedSavedAtMs = nowMs;
}
