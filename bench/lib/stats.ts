/** Nearest-rank percentile: an observed value, never an interpolated one. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export function ms(value: number, digits = 1): string {
  return `${value.toFixed(digits)} ms`;
}

export function seconds(valueMs: number, digits = 2): string {
  return `${(valueMs / 1000).toFixed(digits)} s`;
}

/** "0.03×": how ours compares with a baseline; below 1 is better when less is better. */
export function ratio(ours: number, baseline: number): string {
  if (!Number.isFinite(ours) || !Number.isFinite(baseline) || baseline === 0) return '—';
  const r = ours / baseline;
  return `${r < 0.01 ? r.toPrecision(2) : r.toFixed(r < 10 ? 2 : 0)}×`;
}

/** Largest number of timestamps inside any window of `windowMs`: a sliding "peak per minute". */
export function peakInWindow(timestampsMs: readonly number[], windowMs: number): number {
  const sorted = [...timestampsMs].sort((a, b) => a - b);
  let peak = 0;
  let from = 0;
  sorted.forEach((t, to) => {
    while ((sorted[from] ?? t) <= t - windowMs) from++;
    peak = Math.max(peak, to - from + 1);
  });
  return peak;
}
