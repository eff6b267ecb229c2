import { policyOf } from '../config/policy-of.ts';
import { scheduleInForce } from '../config/schedules.ts';
import type { AutoscalerConfig, PoolConfig } from '../config/schema.ts';
import { totalBacklog } from '../core/demand-terms.ts';
import type { EventOf, ScalingEvent } from '../core/events.ts';
import type { Heartbeat } from '../core/heartbeat.ts';
import { applyPin, type Pin, pinChange } from '../core/pins.ts';
import { type PlanLimit, plan } from '../core/plan.ts';
import { initialPoolStepState, type PoolStepState, poolStep } from '../core/pool-step.ts';
import { capacityStates, liveStates } from '../core/server-state.ts';
import type { Decision, QueueSample, ScheduleInForce, ServerView } from '../core/types.ts';
import type { FleetStore } from '../fleet/fleet-store.ts';
import type { LearnedStore } from '../fleet/learned-store.ts';
import type { PinStore } from '../fleet/pin-store.ts';
import type { RolloutMarks } from '../fleet/rollout-marks.ts';
import type { ServerRecord } from '../fleet/server-record.ts';
import type { Provisioner } from '../provisioning/provisioner.ts';
import { costRoomUsd, createServers, drainServers } from './fleet-actions.ts';
import { learnedSteps, saveLearned } from './learned.ts';
import { newRolloutMemory, type RolloutMemory, rolloutPool } from './rollout.ts';

/** What the scaler carries from tick to tick, per pool; all of it can be rebuilt after a restart. */
export interface PoolState {
  /** What the shared pool step carries: decision memory, estimates, learned boot time. */
  step: PoolStepState;
  last: Decision | undefined;
  lastDemand: { backlog: number; oldestWaitMs: number; activeJobs: number } | undefined;
  /** The pool's queues that were paused at the last tick (their jobs are not demand). */
  pausedQueues: string[];
  /** The operator's pin applied at the last tick, to log when it changes or lapses. */
  pin: Pin | undefined;
  summaryAtMs: number | undefined;
  /** When this scaler last decided for the pool: the age of its last tick, for /healthz. */
  decidedAtMs: number | undefined;
  /** Servers whose boot is already counted in `step.boot`. */
  bootsSeen: Set<string>;
  /** The guard rail that held creates back at the last tick, if any. */
  limitedBy: PlanLimit | undefined;
  /** The pool's rollout at the last tick (outdated servers being replaced). */
  rollout: RolloutMemory;
  /** The schedule window open at the last tick, for eval and the status page. */
  schedule?: ScheduleInForce | undefined;
  /** When what the pool learned was last written to Redis. */
  learnedSavedAtMs?: number | undefined;
}

export interface ScaleContext {
  config: AutoscalerConfig;
  store: FleetStore;
  provisioner: Provisioner;
  pools: Map<string, PoolState>;
  emit: (event: ScalingEvent) => void;
  /** What one server of a type costs per hour, for the cost cap; undefined when the provider cannot tell. */
  serverHourlyPriceUsd: (type: string) => Promise<number | undefined>;
  /** The provider's image fingerprint for a type today; servers recorded with another are replaced. */
  currentImage: (type: string) => Promise<string | undefined>;
  /** Operators' pins (`scale --pin`); without it no pin applies. */
  pins?: PinStore;
  /** Operators' `rollout restart` marks; without it only images and ages start rollouts. */
  rollouts?: RolloutMarks;
  /** Where learned runtimes and bursts outlive a restart; without it every run starts cold. */
  learned?: LearnedStore;
}

export function newPoolState(): PoolState {
  return {
    step: initialPoolStepState(),
    last: undefined,
    lastDemand: undefined,
    pausedQueues: [],
    pin: undefined,
    summaryAtMs: undefined,
    decidedAtMs: undefined,
    bootsSeen: new Set(),
    limitedBy: undefined,
    rollout: newRolloutMemory(),
  };
}

/** The create → ready times of this pool's servers that became ready since the last tick. */
function newBoots(state: PoolState, records: ServerRecord[]): number[] {
  const observed: number[] = [];
  for (const r of records) {
    if (r.readyAtMs === undefined || r.createCalledAtMs === undefined || state.bootsSeen.has(r.id)) continue;
    observed.push(r.readyAtMs - r.createCalledAtMs);
    state.bootsSeen.add(r.id);
  }
  const recorded = new Set(records.map((r) => r.id));
  for (const id of state.bootsSeen) if (!recorded.has(id)) state.bootsSeen.delete(id);
  return observed;
}

export interface PoolDecision {
  pool: PoolConfig;
  decision: Decision;
  demand: { backlog: number; oldestWaitMs: number; activeJobs: number };
  /** What the policy wanted before an operator's pin overrode it. */
  unpinnedDesired: number;
  /** The boot time planned with: configured, or learned from this pool's servers. */
  bootMs: number;
  /** The schedule window open now, if any. */
  schedule: ScheduleInForce | undefined;
  /** The pool's queues that BullMQ reports paused (their jobs are not demand). */
  pausedQueues: string[];
}

/** Decides every pool from one sample; updates each pool's memory but writes nothing. */
export function decidePools(
  config: AutoscalerConfig,
  pools: Map<string, PoolState>,
  samples: QueueSample[],
  records: ServerRecord[],
  beats: Map<string, Heartbeat>,
  nowMs: number,
  pins: ReadonlyMap<string, Pin> = new Map(),
): PoolDecision[] {
  const bySample = new Map(samples.map((s) => [s.queue, s]));
  return config.pools.map((pool) => {
    const state = pools.get(pool.name) ?? newPoolState();
    pools.set(pool.name, state);
    const poolSamples = pool.queues
      .map((q) => bySample.get(q))
      .filter((s): s is QueueSample => s !== undefined);
    const poolRecords = records.filter((r) => r.pool === pool.name);
    const servers = poolRecords.map((r) => viewOf(r, beats));
    const schedule = scheduleInForce(pool.schedules, nowMs);
    const step = poolStep(state.step, {
      nowMs,
      policy: policyOf(pool),
      defaultRuntimeMs: pool.defaultRuntimeMs,
      samples: poolSamples,
      servers,
      bootsObservedMs: newBoots(state, poolRecords),
      schedule,
    });
    state.step = step.state;
    const unpinned = step.decision;
    const demand = step.demand;
    return {
      pool,
      decision: applyPin(unpinned, pins.get(pool.name), servers),
      unpinnedDesired: unpinned.desired,
      bootMs: step.bootMs,
      schedule,
      pausedQueues: poolSamples.filter((s) => s.paused).map((s) => s.queue),
      demand: {
        backlog: totalBacklog(demand),
        oldestWaitMs: demand.oldestWaitMs,
        activeJobs: demand.activeJobs,
      },
    };
  });
}

/** Decides every pool from one sample, then creates and drains within the global guard rails. */
export async function scalePools(
  ctx: ScaleContext,
  samples: QueueSample[],
  records: ServerRecord[],
  beats: Map<string, Heartbeat>,
  nowMs: number,
): Promise<void> {
  const pins =
    (await ctx.pins?.active(
      ctx.config.pools.map((p) => p.name),
      nowMs,
    )) ?? new Map<string, Pin>();
  for (const [name, step] of await learnedSteps(ctx.learned, ctx.config, ctx.pools))
    ctx.pools.set(name, { ...newPoolState(), step });
  const decisions = decidePools(ctx.config, ctx.pools, samples, records, beats, nowMs, pins);
  const names = ctx.config.pools.map((p) => p.name);
  const restarts = (await ctx.rollouts?.restartedAt(names)) ?? new Map<string, number>();
  for (const d of decisions) {
    const { pool, demand, unpinnedDesired, schedule, pausedQueues } = d;
    const state = ctx.pools.get(pool.name);
    if (state === undefined) continue;
    state.schedule = schedule;
    state.pausedQueues = pausedQueues;
    const rollout = rolloutPool(
      {
        pool,
        decision: d.decision,
        records: records.filter((r) => r.pool === pool.name),
        beats,
        oldestWaitMs: demand.oldestWaitMs,
        currentImage: await ctx.currentImage(pool.serverType),
        restartedAtMs: restarts.get(pool.name),
        nowMs,
      },
      state.rollout,
    );
    state.rollout = rollout.memory;
    for (const event of rollout.events) ctx.emit(event);
    d.decision = rollout.step.decision;
    const decision = d.decision;
    const pinEvent = pinChange(pool.name, state.pin, pins.get(pool.name), unpinnedDesired, nowMs);
    if (pinEvent) ctx.emit(pinEvent);
    state.pin = pins.get(pool.name);
    if (nowMs - (state.summaryAtMs ?? Number.NEGATIVE_INFINITY) >= ctx.config.log.summaryEveryMs) {
      if (ctx.config.log.summaryEveryMs > 0) ctx.emit(summaryOf(pool.name, demand, decision, records));
      state.summaryAtMs = nowMs;
    }
    if (state.last?.desired !== decision.desired || state.last.current !== decision.current) {
      ctx.emit({ event: 'decision', pool: pool.name, ...demand, ...pick(decision) });
    }
    state.last = decision;
    state.decidedAtMs = nowMs;
    state.lastDemand = demand;
    // Kept a few ticks only: a status older than that would describe a scaler that stopped.
    const snapshot = { atMs: nowMs, ...demand, ...pick(decision), drain: decision.drain };
    await ctx.store.saveDecision(pool.name, snapshot, ctx.config.tickMs * 10);
    await saveLearned(ctx.learned, pool.name, state, nowMs);
  }

  const capped = ctx.config.maxHourlyCostUsd !== undefined;
  const plans = plan({
    nowMs,
    maxServersTotal: ctx.config.maxServersTotal,
    costRoomUsd: capped ? await costRoomUsd(ctx, records) : undefined,
    liveServers: records.filter((r) => liveStates.includes(r.state)).length,
    pools: await Promise.all(
      decisions.map(async ({ pool, decision }) => ({
        pool: pool.name,
        decision,
        createBlockedUntilMs: await ctx.provisioner.createBlockedUntil(pool.name),
        serverPriceUsd: capped ? await ctx.serverHourlyPriceUsd(pool.serverType) : undefined,
      })),
    ),
  });
  for (const p of plans) {
    const wanted = Math.max(
      0,
      (decisions.find((d) => d.pool.name === p.pool)?.decision.desired ?? 0) - currentOf(p.pool, records),
    );
    const state = ctx.pools.get(p.pool);
    // Once per limit episode, not once per tick: an operator wants to hear it started, not a flood.
    if (p.limitedBy && state?.limitedBy !== p.limitedBy) {
      ctx.emit({ event: 'limit.hit', pool: p.pool, limit: p.limitedBy, wanted, allowed: p.create });
    }
    if (state) state.limitedBy = p.limitedBy;
    const config = ctx.config.pools.find((c) => c.name === p.pool);
    const replacing = (state?.rollout.outdated ?? 0) > 0;
    await createServers(ctx, p.pool, config?.serverType ?? 'default', p.create, nowMs, replacing);
    await drainServers(ctx, records, p.drain, nowMs);
  }
}

function pick(d: Decision) {
  return { desired: d.desired, current: d.current, reason: d.reason, terms: d.terms };
}

function summaryOf(
  pool: string,
  demand: PoolDecision['demand'],
  decision: Decision,
  records: ServerRecord[],
): EventOf<'summary'> {
  const servers: Partial<Record<ServerRecord['state'], number>> = {};
  for (const r of records) if (r.pool === pool) servers[r.state] = (servers[r.state] ?? 0) + 1;
  return { event: 'summary', pool, ...demand, desired: decision.desired, current: decision.current, servers };
}

function currentOf(pool: string, records: ServerRecord[]): number {
  return records.filter((r) => r.pool === pool && capacityStates.includes(r.state)).length;
}

function viewOf(r: ServerRecord, beats: Map<string, Heartbeat>): ServerView {
  return {
    id: r.id,
    state: r.state,
    createdAtMs: r.createdAtMs,
    activeJobs: beats.get(r.id)?.activeJobs ?? 0,
  };
}
