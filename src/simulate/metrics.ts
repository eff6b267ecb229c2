import type { SimResult } from './engine.ts';
import type { Billing } from './fleet.ts';

export interface Figures {
  jobs: number;
  /** Share of jobs that started within the wait target (0–1). */
  withinTarget: number;
  p50WaitMs: number;
  p95WaitMs: number;
  p99WaitMs: number;
  serverSeconds: number;
  billedSeconds: number;
  cost: number;
  creates: number;
  deletes: number;
  peakServers: number;
}

/**
 * Wait figures count jobs ready after warmupMs: every fleet starts at zero, and no policy can serve
 * the jobs of its first boot time. Server time and cost always count the whole run.
 */
export function summarize(
  result: SimResult,
  targetWaitMs: number,
  billing: Billing,
  warmupMs: number,
): Figures {
  const waits = Float64Array.from(
    result.jobs.filter((j) => j.readyAtMs >= warmupMs),
    (j) => j.waitMs,
  ).sort();
  const within = waits.reduce((n, w) => (w <= targetWaitMs ? n + 1 : n), 0);
  const bill = result.fleet.bill(result.horizonMs, billing);
  return {
    jobs: waits.length,
    withinTarget: waits.length === 0 ? 1 : within / waits.length,
    p50WaitMs: percentile(waits, 0.5),
    p95WaitMs: percentile(waits, 0.95),
    p99WaitMs: percentile(waits, 0.99),
    serverSeconds: bill.serverSeconds,
    billedSeconds: bill.billedSeconds,
    cost: bill.cost,
    creates: result.fleet.creates,
    deletes: result.fleet.deletes,
    peakServers: result.fleet.peak,
  };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
}
