import type { ScalerView } from '../view.ts';

/** One pool at one instant, as the status page charts it. */
export interface PoolPoint {
  oldestWaitMs: number;
  backlog: number;
  desired: number;
  servers: number;
}

export interface HistoryPoint {
  atMs: number;
  pools: Record<string, PoolPoint>;
}

/** The last hour of per-pool points, in memory: bounded, and gone on restart by design. */
export class History {
  private readonly ring: HistoryPoint[] = [];

  constructor(private readonly capacity: number) {}

  push(point: HistoryPoint): void {
    this.ring.push(point);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
  }

  points(): HistoryPoint[] {
    return [...this.ring];
  }
}

const hourMs = 3_600_000;

/** Samples the scaler's in-memory pool states every `everyMs`; nothing here touches Redis. */
export function recordHistory(scaler: ScalerView, everyMs: number, now: () => number = Date.now) {
  const history = new History(Math.ceil(hourMs / everyMs));
  const sample = () => {
    const pools: Record<string, PoolPoint> = {};
    for (const [name, state] of scaler.poolStates()) {
      if (state.last === undefined || state.lastDemand === undefined) continue;
      pools[name] = {
        oldestWaitMs: state.lastDemand.oldestWaitMs,
        backlog: state.lastDemand.backlog,
        desired: state.last.desired,
        servers: state.last.current,
      };
    }
    if (Object.keys(pools).length > 0) history.push({ atMs: now(), pools });
  };
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return { history, stop: () => clearInterval(timer) };
}
