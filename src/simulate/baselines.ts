import { type QueueEstimate, updateEstimate } from '../core/estimators.ts';
import type { PoolPolicy, QueueSample } from '../core/types.ts';
import { capacityOf, type Policy, type PoolSetup, type PoolView, towards } from './policy.ts';
import type { Trace } from './trace.ts';

export const second = 1_000;
export const minute = 60 * second;

export function clamp(desired: number, policy: PoolPolicy): number {
  return Math.min(Math.max(desired, policy.minServers), policy.maxServers);
}

/** Jobs ready to run now: the wait list, the prioritized set and delayed jobs already due. */
export function backlogOf(sample: QueueSample): number {
  return sample.waiting + sample.prioritized + sample.dueDelayed;
}

/** Backlog and queued work (ms) from the same runtime estimator ours uses: the peers get equal knowledge. */
export function queuedWorkTracker(
  defaultRuntimeMs: number,
): (view: PoolView) => { backlog: number; workMs: number } {
  const estimates = new Map<string, QueueEstimate>();
  return (view) => {
    let backlog = 0;
    let workMs = 0;
    for (const s of view.samples) {
      const e = updateEstimate(estimates.get(s.queue), s, view.nowMs);
      estimates.set(s.queue, e);
      backlog += backlogOf(s);
      workMs += backlogOf(s) * (e.runtimeMs ?? defaultRuntimeMs);
    }
    return { backlog, workMs };
  };
}

/** A fixed fleet sized for the trace's busiest minute, created at the start like every other fleet. */
export function staticPolicy(setup: PoolSetup, trace: Trace): Policy {
  const perMinute = new Map<number, number>();
  for (const j of trace.jobs) {
    const m = Math.floor((j.t + (j.delayMs ?? 0)) / minute);
    perMinute.set(m, (perMinute.get(m) ?? 0) + j.durationMs);
  }
  const peakWorkMs = Math.max(0, ...perMinute.values());
  const servers = clamp(Math.ceil(peakWorkMs / minute / setup.policy.slotsPerServer), setup.policy);
  return {
    name: 'static (peak)',
    intervalMs: minute,
    step: (view) => towards(servers, view.servers, `static ${servers}`),
  };
}

/**
 * Laravel Horizon's AutoScaler as written (src/AutoScaler.php, `auto` balancing, one process pool for
 * the pool's queues), with servers for processes: while any job is ready the pool's share of
 * `maxProcesses` is all of it, else `minProcesses`; every `balanceCooldown` (3 s) it moves by at most
 * `balanceMaxShift` (1) towards that.
 */
export function horizonPolicy(setup: PoolSetup): Policy {
  const { policy } = setup;
  return {
    name: 'Horizon AutoScaler',
    intervalMs: 3 * second,
    step(view) {
      const current = capacityOf(view.servers);
      const ready = view.samples.reduce((sum, s) => sum + backlogOf(s), 0);
      const wanted = ready > 0 ? policy.maxServers : policy.minServers;
      const desired = current + Math.sign(wanted - current);
      return towards(desired, view.servers, `${ready} ready → ${wanted}`);
    },
  };
}

/**
 * A time-to-clear heuristic (until this issue it was mislabelled "Horizon-style"): enough servers to
 * clear the queued work within the wait target, moved one server per 3 s.
 */
export function timeToClearPolicy(setup: PoolSetup): Policy {
  const queued = queuedWorkTracker(setup.defaultRuntimeMs);
  const { policy } = setup;
  return {
    name: 'time-to-clear, ±1 per 3 s',
    intervalMs: 3 * second,
    step(view) {
      const current = capacityOf(view.servers);
      const timeToClearMs = queued(view).workMs;
      const wanted = clamp(Math.ceil(timeToClearMs / (policy.slotsPerServer * policy.targetWaitMs)), policy);
      const desired = current + Math.sign(wanted - current);
      return towards(desired, view.servers, `time to clear ${(timeToClearMs / 1000).toFixed(0)} s`);
    },
  };
}

/** Σ runtimes ÷ slots: the server-seconds of a perfect fleet that never idles, boots or waits. */
export function workBoundSeconds(trace: Trace, slotsPerServer: number): number {
  return trace.jobs.reduce((sum, j) => sum + j.durationMs, 0) / 1000 / slotsPerServer;
}
