// Why a pool's worst wait went over its target in the demo, in words: the demo's summary quotes it.

export interface PoolRun {
  pool: string;
  worstWaitMs: number;
  targetWaitMs: number;
  /** Mean observed boot (create call → first heartbeat), process start included. */
  meanBootMs: number;
  /** The pool started the burst with no server ready. */
  startedCold: boolean;
  maxServers: number;
  /** Most servers the policy asked for before the cap (decision terms.raw), over the run. */
  peakWantedServers: number;
  /** Guard rails that held creates back (limit.hit), by name. */
  limitsHit: string[];
}

/** One sentence per cause, most telling first; empty when the wait stayed within target. */
export function whyOverTarget(run: PoolRun): string[] {
  if (run.worstWaitMs <= run.targetWaitMs) return [];
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const reasons: string[] = [];
  if (run.startedCold && run.meanBootMs >= run.targetWaitMs / 2)
    reasons.push(
      `cold start: no server was up when the burst came, and a boot takes ${seconds(run.meanBootMs)} of the ${seconds(run.targetWaitMs)} target`,
    );
  if (run.peakWantedServers > run.maxServers)
    reasons.push(
      `capped: the policy wanted ${run.peakWantedServers} servers, maxServers is ${run.maxServers}`,
    );
  for (const limit of new Set(run.limitsHit)) reasons.push(`held back by ${limit}`);
  if (reasons.length === 0)
    reasons.push(
      `the burst outran scale-up: more servers were on their way (boot ${seconds(run.meanBootMs)}) when the oldest job started`,
    );
  return reasons;
}
