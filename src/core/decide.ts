import { initialBurstMemory, observeNeed } from './burst-memory.ts';
import { burstPlan } from './burst-plan.ts';
import { coldStart, guessedRuntimeMs, guessRefuted, nextWarmSince } from './cold-start.ts';
import { explain, type Limit, type LimitRule } from './decide-reason.ts';
import { demandTerms, totalBacklog, totalUpcoming } from './demand-terms.ts';
import { drainAhead } from './drain-ahead.ts';
import { paidUp } from './paid-minimum.ts';
import { nextWindow, windowDesired } from './scale-down-window.ts';
import { capacityStates } from './server-state.ts';
import type {
  Decision,
  DecisionInput,
  DecisionMemory,
  PoolPolicy,
  ServerView,
  WindowEntry,
} from './types.ts';

/**
 * Below this many servers of arriving work, with nothing queued or running, a pool is quiet: the
 * smoothed arrival rate decays towards zero but never reaches it, and ceil() would keep a server forever.
 */
const quietSteadyServers = 0.05;
/** Guards ceil() against float noise such as 2.0000000001 servers. */
const epsilon = 1e-9;

export function initialMemory(): DecisionMemory {
  return { recent: [], lastBusyAtMs: undefined, previousBacklog: 0, bursts: initialBurstMemory() };
}

/**
 * How many servers one pool should have now, and which to drain. Pure: time, state and memory
 * are arguments; the next memory is part of the result.
 */
export function decide(input: DecisionInput): Decision {
  const { nowMs, policy, demand, servers } = input;
  const capacity = servers.filter((s) => capacityStates.includes(s.state));
  const current = capacity.length;
  const backlog = totalBacklog(demand);
  const upcoming = totalUpcoming(demand);
  const busyNow = backlog + demand.activeJobs + upcoming > 0;
  // While a learned burst is under way its size is already the forecast: the trend, extrapolated over
  // a boot from a burst's onset, added a second one on top (180 s boots: the steady term climbed to 51
  // servers while 22 were busy and the learned 27 sufficed; the extra 24 came up after the burst).
  const runtimeMs = Math.max(1, ...demand.queues.map((q) => q.runtimeMs));
  const before = burstPlan(input.memory, policy, nowMs, runtimeMs);
  const trendHeld = before?.phase === 'buy' && before.expected.underway && policy.forecastTrend !== false;
  const { offered, note, noiseQueue, windowMs, ...terms } = demandTerms(
    trendHeld ? { ...policy, forecastTrend: false } : policy,
    demand,
  );
  // Nothing arrived for a whole scale-down window: whatever the smoothed rate still says is history.
  const arrivalsStale =
    demand.lastArrivalAtMs !== undefined && nowMs - demand.lastArrivalAtMs >= policy.scaleDownDelayMs;
  const quiet = !busyNow && (offered < quietSteadyServers || arrivalsStale);
  const full = quiet && !mustStayAwake(policy, input.memory, nowMs) ? 0 : rawDesired(terms, busyNow);
  // A server bought now is up a boot later: buy only for the queued work the booting fleet will not
  // have cleared by then (drain-ahead.ts). It only stops buying: never below the servers there, which
  // the plan counts on. A learned burst due now claims its size: the smoothed rate lags its onset.
  const claimServers =
    before?.phase === 'buy' ? Math.max(terms.steady, before.expected.servers) : terms.steady;
  const ahead =
    full > current
      ? drainAhead({ policy, demand, capacity, nowMs }, { drain: terms.drain, windowMs, claimServers })
      : undefined;
  const raw =
    ahead === undefined ? full : Math.max(current, rawDesired({ ...terms, drain: ahead.drain }, busyNow));

  const steady = raw > 0 ? rawDesired({ ...terms, drain: 0 }, busyNow) : 0;
  // More than maxServers cannot be had: learned as a burst's size, a queue built while the fleet
  // booted (156 servers' worth with a 10 s target) made the pre-warmed bursts after it look like blips.
  const used = Math.min(policy.maxServers, Math.ceil(terms.busy + terms.drain - epsilon));
  const due = before?.phase === 'buy';
  // A burst that finds the learned fleet in place measures its own size; one met late is inflated.
  const ready = due && before !== undefined && current >= before.expected.servers;
  const load = Math.min(policy.maxServers, terms.busy + terms.drain);
  // The burst memory learns the need itself, not when its servers are best bought (drain-ahead).
  const need = { signal: due ? Math.max(full, used) : full, used, ready, load };
  const cold = coldStart(demand);
  const warmSinceMs = nextWarmSince(input.memory.warmSinceMs, cold, nowMs);
  const refuted = guessRefuted(input.memory.recent, demand, warmSinceMs, nowMs);
  const memory = nextMemory(
    input,
    { atMs: nowMs, desired: raw, steady, ...(cold ? { guessedRuntimeMs: guessedRuntimeMs(demand) } : {}) },
    { current, backlog, need, busyNow, warmSinceMs, refuted: refuted !== undefined },
  );
  const limits: Limit[] = [];
  const apply = (next: number, rule: LimitRule) => {
    limits.push({ ...rule, to: next });
    return next;
  };
  const burst = burstPlan(memory, policy, nowMs, runtimeMs);
  // Between learned bursts the future is known: the window's guard against an unknown one would hold
  // a burst's fleet through the gap, so capacity follows the need down instead, step by step.
  // So is the future before a learned burst: in its buy phase the window resurrected the previous
  // burst's peak (51 servers bought 200 s ahead of a burst needing 27), so only the burst itself uses it.
  const windowed = burst === undefined || (burst.phase === 'buy' && burst.expected.underway);
  let desired = windowed ? windowDesired(memory.recent, nowMs, policy) : raw;
  if (desired > raw) limits.push({ kind: 'window', to: desired, windowMs: policy.scaleDownDelayMs });
  if (refuted !== undefined) limits.push({ kind: 'refuted', to: desired, ...refuted });
  // The backlog that makes this tick urgent was sized with the measured runtime just now: holding the
  // servers bought on the guess for it kept 38 servers for a backlog one could drain.
  const urgent =
    refuted === undefined &&
    (demand.oldestWaitMs > policy.targetWaitMs || backlog > input.memory.previousBacklog);
  if (urgent && desired < current) desired = apply(current, { kind: 'urgent' });
  const burstFloor = burst?.floor(current) ?? 0;
  if (burst !== undefined && desired < burstFloor) {
    const keepOnly = burst.phase === 'keep';
    desired = apply(burstFloor, { kind: 'burst', burst: burst.expected, nowMs, keepOnly });
  }
  const busyServers = capacity.filter((s) => s.activeJobs > 0).length;
  if (desired < Math.min(current, busyServers)) desired = apply(busyServers, { kind: 'busy' });
  const paid = paidUp(capacity, policy, nowMs);
  // Busy servers are not victims either: paid-up and busy together are what may not go.
  const kept = capacity.filter((s) => s.activeJobs > 0 || paid.includes(s)).length;
  if (paid.length > 0 && desired < kept) desired = apply(kept, { kind: 'paid' });
  if (mustStayAwake(policy, memory, nowMs) && current > 0 && desired < 1)
    desired = apply(1, { kind: 'awake' });
  if (desired > current + policy.maxStepUp) desired = apply(current + policy.maxStepUp, { kind: 'step' });
  const floor = Math.max(policy.minServers, input.schedule?.minServers ?? 0);
  if (desired < floor) {
    const bySchedule = (input.schedule?.minServers ?? 0) > policy.minServers;
    desired = apply(floor, bySchedule ? { kind: 'schedule', schedule: input.schedule } : { kind: 'min' });
  }
  // Draining, deleting, failed and hanging servers are still billed: no create may push the pool's
  // bill past maxServers (a run showed 65 billed under a cap of 60 while replacements booted).
  const billedElsewhere = servers.filter(
    (s) => s.state !== 'deleted' && !capacityStates.includes(s.state),
  ).length;
  const room = Math.max(Math.min(current, policy.maxServers), policy.maxServers - billedElsewhere);
  if (desired > room) desired = apply(room, { kind: 'max', billedElsewhere });

  const drain = desired < current ? pickVictims(capacity, current - desired, paid) : [];
  const idle = quiet && raw === 0;
  const reason = explain({
    ...{ policy, demand, backlog, upcoming, terms, raw, current, desired, limits, idle },
    note,
    trendHeld,
    noiseQueue,
    ahead: ahead !== undefined && raw < full ? { ...ahead, full, runtimeMs } : undefined,
  });
  return { desired, current, reason, drain, terms: { ...terms, raw }, memory };
}

function rawDesired(terms: { steady: number; drain: number }, busyNow: boolean): number {
  // Busy slots are the served work again, measured instantly: in the max they only added the noise
  // of a Poisson count, which the scale-down window then held for minutes (see docs/policy.md).
  const raw = Math.ceil(terms.steady + terms.drain - epsilon);
  return busyNow ? Math.max(raw, 1) : Math.max(raw, 0);
}

function nextMemory(
  input: DecisionInput,
  entry: WindowEntry,
  now: {
    current: number;
    backlog: number;
    need: { signal: number; used: number; ready: boolean; load: number };
    busyNow: boolean;
    warmSinceMs: number | undefined;
    refuted: boolean;
  },
): DecisionMemory {
  const { nowMs, policy, memory } = input;
  const { current, backlog, busyNow, warmSinceMs, refuted } = now;
  const recent = nextWindow(memory.recent, entry, current, policy);
  // The idle period counts from the last job seen (queued, running, due soon or just added), as
  // idleToZeroMs promises: counted from when the smoothed rate had decayed, a pool stayed up for
  // idleToZeroMs plus up to a scale-down window (tiny-fast: 518 s after its last job, for 300 s).
  const lastWorkAtMs = busyNow ? nowMs : input.demand.lastArrivalAtMs;
  const lastBusyAtMs =
    lastWorkAtMs !== undefined
      ? Math.max(lastWorkAtMs, memory.lastBusyAtMs ?? lastWorkAtMs)
      : (memory.lastBusyAtMs ?? (memory.recent.length === 0 ? nowMs : undefined));
  return {
    recent: refuted ? recent.filter((r) => r.guessedRuntimeMs === undefined) : recent,
    warmSinceMs,
    lastBusyAtMs,
    previousBacklog: backlog,
    // Two boots: how long a reactive fleet takes to catch up with a step (see burst-memory.ts).
    bursts: observeNeed(memory.bursts ?? initialBurstMemory(), nowMs, now.need, 2 * policy.bootMs),
  };
}

function mustStayAwake(policy: PoolPolicy, memory: DecisionMemory, nowMs: number): boolean {
  return memory.lastBusyAtMs !== undefined && nowMs - memory.lastBusyAtMs < policy.idleToZeroMs;
}

/**
 * Idle first, then least busy, then newest: the cheapest servers to lose. Idle servers still inside
 * their paid minimum (`paid`) come after the idle unpaid ones: the paid rule keeps them, so they go
 * only when a cap (maxServers) forces the count below them — and even then before any busy server.
 */
export function pickVictims(
  capacity: ServerView[],
  count: number,
  paid: readonly ServerView[] = [],
): string[] {
  const rank = (s: ServerView) => (s.activeJobs > 0 ? 2 : paid.includes(s) ? 1 : 0);
  return [...capacity]
    .sort(
      (a, b) =>
        rank(a) - rank(b) ||
        a.activeJobs - b.activeJobs ||
        b.createdAtMs - a.createdAtMs ||
        a.id.localeCompare(b.id),
    )
    .slice(0, count)
    .map((s) => s.id);
}
