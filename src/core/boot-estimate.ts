/** Enough boots for a stable high percentile, few enough to follow a changed snapshot image. */
const keptObservations = 20;
/** Below this, one slow or fast outlier would swing the estimate: trust the configured value. */
const minObservations = 3;
/** Planning for a slow boot costs a little server time; planning for a fast one costs missed waits. */
const percentile = 0.9;

/** Recent create → ready durations of one pool, bounded whatever the fleet's age. */
export interface BootEstimate {
  observedMs: readonly number[];
}

export function initialBootEstimate(): BootEstimate {
  return { observedMs: [] };
}

/** Feed one observed create → ready duration; nonsense (negative, NaN) is ignored. */
export function updateBootEstimate(previous: BootEstimate, observedMs: number): BootEstimate {
  if (!Number.isFinite(observedMs) || observedMs < 0) return previous;
  return { observedMs: [...previous.observedMs, observedMs].slice(-keptObservations) };
}

/** The boot time to plan with: the configured value until enough boots were seen, then their p90. */
export function bootEstimateMs(estimate: BootEstimate, configuredMs: number): number {
  if (estimate.observedMs.length < minObservations) return configuredMs;
  const sorted = [...estimate.observedMs].sort((a, b) => a - b);
  return sorted[Math.ceil(percentile * sorted.length) - 1] ?? configuredMs;
}
