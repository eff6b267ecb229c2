import type { BurstMemory } from './burst-memory.ts';

/** Lifecycle states of a worker server; transitions live in server-state.ts. */
export type ServerState =
  | 'requested'
  | 'creating'
  | 'booting'
  | 'ready'
  | 'draining'
  | 'deleting'
  | 'deleted'
  | 'failed'
  | 'hanging';

/** What the sampler saw in one queue at one instant. */
export interface QueueSample {
  queue: string;
  /** Jobs in the wait list (for a paused queue BullMQ 6 keeps them here too). */
  waiting: number;
  /** Jobs in the prioritized set: they are waiting too, just ordered by priority. */
  prioritized: number;
  /** Delayed jobs whose time has come: demand, since BullMQ promotes them only while a worker runs. */
  dueDelayed: number;
  active: number;
  paused: boolean;
  /** Age of the longest-waiting job that is ready to run; 0 when none is. */
  oldestWaitMs: number;
  /** BullMQ's monotonically increasing job counter: its growth is the arrival count. */
  addedTotal: number;
  /**
   * Every job in the delayed set, due or not. With it, arrivals count when a job becomes ready rather
   * than when a delayed job is added (see estimators.ts); absent, every add counts at once.
   */
  delayedTotal?: number;
  /** Delayed jobs falling due after now and within the sampler's look-ahead: demand on its way. */
  upcomingDelayed?: number;
  /** Runtimes (finishedOn − processedOn) of jobs completed since the previous sample. */
  recentRuntimesMs: number[];
}

/** A server as the policy sees it. */
export interface ServerView {
  id: string;
  state: ServerState;
  createdAtMs: number;
  /** Jobs the server reported running in its last heartbeat; 0 when unknown. */
  activeJobs: number;
}

/** Demand of one queue, smoothed by the estimators. */
export interface QueueDemand {
  queue: string;
  /** waiting + prioritized + due delayed; 0 while the queue is paused. */
  backlog: number;
  /** Smoothed job arrivals per second; 0 while unknown. */
  arrivalPerSecond: number;
  /** Smoothed job runtime; the configured default until jobs have completed. */
  runtimeMs: number;
  /** False while runtimeMs is the configured default: no job of this queue was ever seen to finish. */
  runtimeLearned?: boolean;
  /** Set while no job ever finished but jobs have run this long: runtimeMs is at least that. */
  runtimeAtLeastMs?: number;
  /** Jobs of this queue running now; absent when unknown (the steady term then ignores jobs in progress). */
  active?: number;
  /** Smoothed change of the arrival rate, per second per second; absent or 0 while unknown. */
  arrivalTrendPerSecond2?: number;
  /** Delayed jobs due within the look-ahead (one boot and a bit): backlog arriving at its due time. */
  upcoming?: number;
  /** Jobs of a one-off herd (far more than the rate predicts) left out of the rate: they are backlog. */
  herd?: number;
}

/** Demand of one pool: its queues plus what is true of the pool as a whole. */
export interface PoolDemand {
  queues: QueueDemand[];
  /** The longest wait of any ready-to-run job in the pool's unpaused queues. */
  oldestWaitMs: number;
  activeJobs: number;
  /** When a job was last added to any of the pool's queues; undefined when none was seen. */
  lastArrivalAtMs?: number | undefined;
}

/** The policy knobs of one pool (a subset of the pool config, with defaults applied). */
export interface PoolPolicy {
  minServers: number;
  maxServers: number;
  /** Jobs one server runs at once (its worker concurrency). */
  slotsPerServer: number;
  /** Jobs should start within this long after they became ready to run. */
  targetWaitMs: number;
  /** How long a new server takes from the create call until its workers take jobs. */
  bootMs: number;
  /** Share of slots the steady-state term plans to keep busy (0–1], with steadyModel 'utilisation'. */
  targetUtilisation: number;
  /**
   * How the steady-state term sizes the fleet for the arriving work. 'wait-risk' (the default): the
   * fewest slots that keep the share of jobs waiting longer than the target at 1 % (Erlang C).
   * 'utilisation': arrival × runtime ÷ (slots × targetUtilisation).
   */
  steadyModel?: 'wait-risk' | 'utilisation';
  /** Most servers added in one tick. */
  maxStepUp: number;
  /** Scale down only to the highest desired count seen within this window. */
  scaleDownDelayMs: number;
  /** With minServers 0, the pool returns to zero only after this long without any job. */
  idleToZeroMs: number;
  /**
   * Plan for the arrival rate a sharply rising trend reaches by the time new servers are up. On
   * unless false: in the scaling benchmark it won 3–10 points of share on spikes and bursts and cost
   * nothing on steady or slowly changing load.
   */
  forecastTrend?: boolean;
  /**
   * How long a new server is paid for at least: the provider's minimum charge as time (DigitalOcean:
   * 60 s or $0.01, whichever is higher — 33.6 min of a $0.01786/h droplet). Servers younger than
   * this are not drained (maxServers still wins). 0 or absent: no such rule. Configured per pool as
   * `keepPaidServersMs` (default 0): off by default because over the scaling benchmark it cut the
   * DigitalOcean bill $75.97 → $27.72 but raised server time 1–22×.
   */
  paidMinimumMs?: number;
}

/** One tick's raw desired count, as the scale-down window remembers it. */
export interface WindowEntry {
  atMs: number;
  /** Backlog drain included: held for one boot time, since a server released sooner costs a boot to get back. */
  desired: number;
  /** Without the drain term: held for the whole scale-down window. */
  steady: number;
  /** Set while no runtime was measured (cold-start.ts): the guessed runtime the need was sized with. */
  guessedRuntimeMs?: number;
}

/** What decide() remembers between ticks; it returns the next value, it never mutates. */
export interface DecisionMemory {
  /** Recurring bursts seen in this pool (burst-memory.ts); persisted by the scaler across restarts. */
  bursts: BurstMemory;
  /** Since when a runtime of the pool's demand has been measured; undefined during a cold start. */
  warmSinceMs?: number | undefined;
  /** Raw desired counts inside the scale-down window, oldest first. */
  recent: WindowEntry[];
  /** Last time the pool had any backlog or active job. */
  lastBusyAtMs: number | undefined;
  /** Backlog at the previous tick, to see whether it grows. */
  previousBacklog: number;
}

/** A window of the pool's `schedules` in force now (config), raising its minimum. */
export interface ScheduleInForce {
  /** How the schedule is named in reasons and on the status page: its cron and time zone. */
  label: string;
  minServers: number;
  /** When this window ends. */
  untilMs: number;
}

export interface DecisionInput {
  nowMs: number;
  policy: PoolPolicy;
  demand: PoolDemand;
  servers: ServerView[];
  memory: DecisionMemory;
  schedule?: ScheduleInForce | undefined;
}

export interface Decision {
  desired: number;
  /** Servers counted as capacity now (requested, creating, booting, ready). */
  current: number;
  reason: string;
  /** Servers to drain, best victims first (idle, then least busy, then newest). */
  drain: string[];
  /** The terms behind the decision, for logs and metrics. */
  terms: { steady: number; drain: number; busy: number; raw: number };
  memory: DecisionMemory;
}
