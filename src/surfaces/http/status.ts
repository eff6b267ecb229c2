import type { ServerRecord } from '../../fleet/server-record.ts';
import type { ScalerHealth, ScalerView } from '../view.ts';
import type { HistoryPoint } from './history.ts';

export interface PoolStatus {
  pool: string;
  queues: string[];
  minServers: number;
  maxServers: number;
  backlog: number | null;
  oldestWaitMs: number | null;
  desired: number | null;
  current: number | null;
  reason: string | null;
  pin: { servers: number; untilMs: number | null } | null;
  /** The schedule window in force: its label, minimum and end. */
  schedule: { label: string; minServers: number; untilMs: number } | null;
  servers: Partial<Record<ServerRecord['state'], number>>;
}

/** The body of GET /status, which the status page renders. */
export interface StatusBody {
  cluster: string;
  atMs: number;
  tickMs: number;
  health: ScalerHealth;
  pools: PoolStatus[];
  servers: ServerRecord[];
  history: HistoryPoint[];
}

export async function statusOf(scaler: ScalerView, history: HistoryPoint[]): Promise<StatusBody> {
  const [health, servers] = await Promise.all([scaler.health(), scaler.servers()]);
  const states = scaler.poolStates();
  const pools = scaler.config.pools.map((pool): PoolStatus => {
    const state = states.get(pool.name);
    const byState: PoolStatus['servers'] = {};
    for (const s of servers) if (s.pool === pool.name) byState[s.state] = (byState[s.state] ?? 0) + 1;
    return {
      pool: pool.name,
      queues: pool.queues,
      minServers: pool.minServers,
      maxServers: pool.maxServers,
      backlog: state?.lastDemand?.backlog ?? null,
      oldestWaitMs: state?.lastDemand?.oldestWaitMs ?? null,
      desired: state?.last?.desired ?? null,
      current: state?.last?.current ?? null,
      reason: state?.last?.reason ?? null,
      pin: state?.pin ? { servers: state.pin.servers, untilMs: state.pin.untilMs ?? null } : null,
      schedule: state?.schedule ?? null,
      servers: byState,
    };
  });
  return {
    cluster: scaler.config.cluster,
    atMs: Date.now(),
    tickMs: scaler.config.tickMs,
    health,
    pools,
    servers,
    history,
  };
}
