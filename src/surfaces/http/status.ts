import type { RedisClient } from '../../base/redis-connection.ts';
import { scalerKeys } from '../../base/redis-keys.ts';
import { scheduleInForce } from '../../config/schedules.ts';
import type { AutoscalerConfig, PoolConfig } from '../../config/schema.ts';
import { type DecisionFacts, decisionInWords } from '../../core/decision-words.ts';
import type { Pin } from '../../core/pins.ts';
import type { ServerState } from '../../core/types.ts';
import { FleetStore } from '../../fleet/fleet-store.ts';
import {
  type HistoryBucket,
  type HistoryRange,
  HistoryStore,
  historyRanges,
  type ScaleMark,
} from '../../fleet/history-store.ts';
import { PinStore } from '../../fleet/pin-store.ts';
import type { ServerRecord } from '../../fleet/server-record.ts';
import { queueActivity } from '../../sampler/queue-activity.ts';
import { QueueSampler } from '../../sampler/queue-sampler.ts';
import type { ScalerView } from '../view.ts';
import { type FeedEvent, feed, feedLength, type QueueRow, queueRows } from './status-rows.ts';

export interface PoolStatus {
  pool: string;
  queues: QueueRow[];
  minServers: number;
  maxServers: number;
  targetWaitMs: number;
  backlog: number | null;
  oldestWaitMs: number | null;
  desired: number | null;
  current: number | null;
  /** The last decision in plain words; null while no leader decided within the last few ticks. */
  decision: string | null;
  pin: { servers: number; untilMs: number | null } | null;
  servers: Partial<Record<ServerState, number>>;
  history: HistoryBucket[];
  marks: ScaleMark[];
  /** The schedule window in force (config `schedules`): its label, minimum and end. */
  schedule: { label: string; minServers: number; untilMs: number } | null;
}

/** A server's record (with its type, region and image) and what its last heartbeat said. */
export interface ServerRow extends ServerRecord {
  /** When the server's worker last reported, and how busy it was; null without a live heartbeat. */
  lastHeartbeatAtMs: number | null;
  activeJobs: number | null;
}

/** The body of GET status, which the status page renders. */
export interface StatusBody {
  cluster: string;
  atMs: number;
  tickMs: number;
  range: HistoryRange;
  health: {
    /** `read-only` when the page runs without a scaler in its process. */
    role: 'leader' | 'standby' | 'read-only';
    redisOk: boolean;
    /** The instance holding the cluster's lease, or null when none does. */
    leader: string | null;
  };
  cost: { perHourUsd: number | null; todayUsd: number | null };
  pools: PoolStatus[];
  servers: ServerRow[];
  events: FeedEvent[];
}

/** A saved decision older than this many ticks describes a scaler that stopped. */
const staleTicks = 10;

/**
 * Builds the status page's body from RedisClient alone, so a page beside the user's app shows the same
 * as the scaler's own; a scaler in the same process only adds its role.
 */
export class StatusReader {
  private readonly fleet: FleetStore;
  private readonly history: HistoryStore;
  private readonly pins: PinStore;

  constructor(
    private readonly redis: RedisClient,
    private readonly config: AutoscalerConfig,
    private readonly scaler?: ScalerView,
  ) {
    const space = { prefix: config.redis.bullmqPrefix, cluster: config.cluster };
    this.fleet = new FleetStore(redis, space);
    this.history = new HistoryStore(redis, space);
    this.pins = new PinStore(redis, space);
  }

  async status(range: HistoryRange, nowMs: number): Promise<StatusBody> {
    const { config } = this;
    const names = config.pools.map((p) => p.name);
    const queues = config.pools.flatMap((p) => p.queues);
    const prefix = config.redis.bullmqPrefix;
    const [health, records, pins, samples, activity, audit, today] = await Promise.all([
      this.health(),
      this.fleet.list(),
      this.pins.active(names, nowMs),
      // A queue that cannot be read is left out of the rows; the scaler's own events name it.
      new QueueSampler(this.redis, prefix).sample(queues, nowMs).then((round) => round.samples),
      queueActivity(this.redis, prefix, queues, nowMs),
      this.fleet.history(undefined, feedLength),
      this.history.spentSince(names, startOfUtcDay(nowMs), nowMs),
    ]);
    const rows = queueRows(samples, activity);
    const pools = await Promise.all(
      config.pools.map((pool) => this.poolStatus(pool, range, nowMs, records, rows, pins.get(pool.name))),
    );
    const perHour = pools.map((p) => p.history.at(-1)?.costPerHourUsd ?? null);
    return {
      cluster: config.cluster,
      atMs: nowMs,
      tickMs: config.tickMs,
      range,
      health,
      cost: {
        perHourUsd: perHour.every((c) => c === null)
          ? null
          : perHour.reduce<number>((sum, c) => sum + (c ?? 0), 0),
        todayUsd: perHour.every((c) => c === null) ? null : today,
      },
      pools,
      servers: await this.serverRows(records),
      events: feed(
        audit,
        pools.flatMap((p) => p.marks),
        names,
      ),
    };
  }

  private async poolStatus(
    pool: PoolConfig,
    range: HistoryRange,
    nowMs: number,
    records: ServerRecord[],
    rows: Map<string, QueueRow>,
    pin: Pin | undefined,
  ): Promise<PoolStatus> {
    const [saved, history, marks] = await Promise.all([
      this.fleet.lastDecision(pool.name),
      this.history.read(pool.name, range, nowMs),
      this.history.marks(pool.name, nowMs - historyRanges[range]),
    ]);
    const decision = fresh(saved, nowMs, this.config.tickMs);
    const servers: PoolStatus['servers'] = {};
    for (const r of records) if (r.pool === pool.name) servers[r.state] = (servers[r.state] ?? 0) + 1;
    return {
      pool: pool.name,
      queues: pool.queues.map((q) => rows.get(q)).filter((r): r is QueueRow => r !== undefined),
      minServers: pool.minServers,
      maxServers: pool.maxServers,
      targetWaitMs: pool.targetWaitMs,
      backlog: decision?.backlog ?? null,
      oldestWaitMs: decision?.oldestWaitMs ?? null,
      desired: decision?.desired ?? null,
      current: decision?.current ?? null,
      decision: decision ? decisionInWords({ ...decision, pinnedTo: pin?.servers }, pool) : null,
      pin: pin === undefined ? null : { servers: pin.servers, untilMs: pin.untilMs ?? null },
      schedule: scheduleInForce(pool.schedules, nowMs) ?? null,
      servers,
      history,
      marks,
    };
  }

  private async health(): Promise<StatusBody['health']> {
    const [redisOk, lease] = await Promise.all([
      this.redis.ping().then(
        () => true,
        () => false,
      ),
      this.redis.get(
        scalerKeys({ prefix: this.config.redis.bullmqPrefix, cluster: this.config.cluster }).lease,
      ),
    ]);
    const role = this.scaler === undefined ? 'read-only' : this.scaler.isLeader() ? 'leader' : 'standby';
    // The lease value is `<fencing token>:<instance>`.
    const leader = lease === null ? null : lease.slice(lease.indexOf(':') + 1);
    return { role, redisOk, leader };
  }

  private async serverRows(records: ServerRecord[]): Promise<ServerRow[]> {
    const beats = await this.fleet.heartbeats(records.map((r) => r.id));
    return records.map((r) => {
      const beat = beats.get(r.id);
      return { ...r, lastHeartbeatAtMs: beat?.atMs ?? null, activeJobs: beat?.activeJobs ?? null };
    });
  }
}

/** The snapshot the leader saves after each tick (tick.ts), with when it was taken. */
type SavedDecision = Omit<DecisionFacts, 'pinnedTo'> & { atMs: number };

function fresh(
  saved: Record<string, unknown> | undefined,
  nowMs: number,
  tickMs: number,
): SavedDecision | undefined {
  const d = saved as Partial<SavedDecision> | undefined;
  if (d?.atMs === undefined || d.terms === undefined || nowMs - d.atMs > staleTicks * tickMs)
    return undefined;
  return d as SavedDecision;
}

function startOfUtcDay(nowMs: number): number {
  return nowMs - (nowMs % 86_400_000);
}
