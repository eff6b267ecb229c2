/** The numbers behind one decision, as the scaler saves them after each tick. */
export interface DecisionFacts {
  desired: number;
  current: number;
  backlog: number;
  oldestWaitMs: number;
  activeJobs: number;
  /** Servers for arriving work, for clearing the queue within the target, and running jobs now; raw = what the load needs. */
  terms: { steady: number; drain: number; busy: number; raw: number };
  /** The count an operator pinned the pool to, if a pin applied. */
  pinnedTo?: number | undefined;
}

export interface PolicyLimits {
  minServers: number;
  maxServers: number;
  targetWaitMs: number;
  maxStepUp: number;
}

/**
 * A decision in words an operator reads at a glance, from the same numbers the scaler used: what
 * it does, what the load needs and which rule (pin, min, max, step, scale-down window) made the
 * difference. The formula text stays in the logs for whoever checks the arithmetic.
 */
export function decisionInWords(f: DecisionFacts, p: PolicyLimits): string {
  return `${action(f, p)}. ${load(f, p)}.`;
}

function action(f: DecisionFacts, p: PolicyLimits): string {
  const { desired, current } = f;
  const need = f.terms.raw;
  if (f.pinnedTo !== undefined && desired === f.pinnedTo && need !== desired)
    return `${moving(f)}: pinned to ${servers(f.pinnedTo)} by an operator (the load alone needs ${need})`;
  if (desired > current) {
    if (desired < need && desired === p.maxServers)
      return `${moving(f)}, capped at the pool's maximum of ${p.maxServers}`;
    if (desired < need && desired === current + p.maxStepUp)
      return `${moving(f)}, at most ${p.maxStepUp} more per tick`;
    if (desired > need && desired === p.minServers)
      return `${moving(f)} to keep the pool's minimum of ${p.minServers}`;
    return moving(f);
  }
  if (desired < current) {
    if (desired > need && desired === p.minServers)
      return `${moving(f)}, down to the pool's minimum of ${p.minServers}`;
    if (desired > need) return `${moving(f)}; the scale-down window keeps ${desired} for now`;
    return moving(f);
  }
  if (need > current && current === p.maxServers) return `Holding ${servers(current)}: the pool's maximum`;
  if (need < current && current === p.minServers) return `Holding ${servers(current)}: the pool's minimum`;
  if (need < current && f.oldestWaitMs > p.targetWaitMs)
    return `Holding ${servers(current)}: nothing is removed while jobs wait longer than the target`;
  if (need < current)
    return `Holding ${servers(current)}: the scale-down window keeps ${current === 1 ? 'it' : 'them'}`;
  return `Holding ${servers(current)}`;
}

function moving({ current, desired }: DecisionFacts): string {
  const verb = desired > current ? 'Adding' : 'Removing';
  return `${verb} ${servers(Math.abs(desired - current))} (${current} → ${desired})`;
}

function load(f: DecisionFacts, p: PolicyLimits): string {
  const queued =
    f.backlog === 0
      ? 'No job is waiting'
      : `${jobs(f.backlog)} waiting, the oldest for ${duration(f.oldestWaitMs)} (target ${duration(p.targetWaitMs)})`;
  const running = `${jobs(f.activeJobs)} running`;
  const need = `${queued}; ${running}. The load needs ${servers(f.terms.raw)}`;
  const sum = Math.ceil(f.terms.steady + f.terms.drain - 1e-9);
  // decide() keeps one server while jobs run and none once nothing arrived for a while: say so.
  if (f.terms.raw < sum) return `${need}: nothing arrived lately`;
  const parts = [`${one(f.terms.steady)} for arriving work`];
  if (f.terms.drain > 0) parts.push(`${one(f.terms.drain)} to clear the queue within the target`);
  const floor = f.terms.raw > sum ? ', and one at least while jobs run' : '';
  return `${need}: ${parts.join(' + ')}${floor}`;
}

function servers(n: number): string {
  return `${n} server${n === 1 ? '' : 's'}`;
}

function jobs(n: number): string {
  return `${n} job${n === 1 ? '' : 's'}`;
}

function one(n: number): string {
  return n.toFixed(1);
}

/** One unit style everywhere on the page: seconds under two minutes, then minutes, then hours. */
export function duration(ms: number): string {
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
