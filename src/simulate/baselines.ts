import { type QueueEstimate, updateEstimate } from '../core/estimators.ts';
import type { PoolPolicy, QueueSample } from '../core/types.ts';
import { capacityOf, type Policy, type PoolSetup, type PoolView, towards } from './policy.ts';
import type { Trace } from './trace.ts';

const second = 1_000;
const minute = 60 * second;

function clamp(desired: number, policy: PoolPolicy): number {
  return Math.min(Math.max(desired, policy.minServers), policy.maxServers);
}

function backlogOf(sample: QueueSample): number {
  return sample.waiting + sample.prioritized + sample.dueDelayed;
}

/** Backlog and queued work (ms) from the same runtime estimator ours uses: the peers get equal knowledge. */
function queuedWorkTracker(
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
    const m = Math.floor(j.t / minute);
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
 * KEDA/HPA with a queue-length trigger: replicas = ceil(backlog ÷ target per replica), the target being
 * AWS's acceptable backlog per instance (slots × wait target ÷ runtime). KEDA polls every 30 s, HPA
 * scales down to the highest recommendation of the last 300 s and scales up at most max(4, 100 %) a
 * period; KEDA activates from zero on any job and returns to zero after a 300 s cooldown.
 */
export function kedaPolicy(setup: PoolSetup): Policy {
  const queued = queuedWorkTracker(setup.defaultRuntimeMs);
  const { policy } = setup;
  const recent: { at: number; desired: number }[] = [];
  let lastActiveAt = Number.NEGATIVE_INFINITY;
  return {
    name: 'KEDA-style',
    intervalMs: 30 * second,
    step(view) {
      const { backlog, workMs } = queued(view);
      const runtimeMs = backlog > 0 ? workMs / backlog : setup.defaultRuntimeMs;
      const perServer = Math.max(1, (policy.slotsPerServer * policy.targetWaitMs) / runtimeMs);
      if (backlog > 0) lastActiveAt = view.nowMs;
      const active = view.nowMs - lastActiveAt < 300 * second;
      const wanted = active ? Math.max(1, Math.ceil(backlog / perServer)) : 0;
      recent.push({ at: view.nowMs, desired: wanted });
      while ((recent[0]?.at ?? view.nowMs) <= view.nowMs - 300 * second) recent.shift();
      const current = capacityOf(view.servers);
      const stabilised = Math.max(...recent.map((r) => r.desired));
      const desired = clamp(Math.min(stabilised, Math.max(current + 4, 2 * current)), policy);
      return towards(desired, view.servers, `backlog ${backlog} ÷ ${perServer.toFixed(1)} per server`);
    },
  };
}

/**
 * Judoscale: samples queue latency every 10 s; above the upscale threshold (the wait target) it adds
 * one server, at most once per 3 minutes; below the downscale threshold (a tenth of the target) it
 * removes one, only 10 minutes after the last change. It starts a pool from zero on any job.
 */
export function judoscalePolicy(setup: PoolSetup): Policy {
  const { policy } = setup;
  let lastUpAt = Number.NEGATIVE_INFINITY;
  let lastChangeAt = Number.NEGATIVE_INFINITY;
  return {
    name: 'Judoscale-style',
    intervalMs: 10 * second,
    step(view) {
      const current = capacityOf(view.servers);
      const latency = Math.max(0, ...view.samples.map((s) => s.oldestWaitMs));
      const jobs = view.samples.reduce((sum, s) => sum + backlogOf(s) + s.active, 0);
      let desired = current;
      if (current === 0 && jobs > 0) desired = 1;
      else if (latency > policy.targetWaitMs && view.nowMs - lastUpAt >= 3 * minute) desired = current + 1;
      else if (latency < policy.targetWaitMs / 10 && view.nowMs - lastChangeAt >= 10 * minute)
        desired = current - 1;
      desired = clamp(desired, policy);
      if (desired > current) lastUpAt = view.nowMs;
      if (desired !== current) lastChangeAt = view.nowMs;
      return towards(desired, view.servers, `latency ${latency} ms`);
    },
  };
}

/**
 * Laravel Horizon's time-to-clear balancing applied to servers: enough servers to clear the queued
 * work within the wait target, moved one server per 3 s cooldown (balanceMaxShift 1).
 */
export function horizonPolicy(setup: PoolSetup): Policy {
  const queued = queuedWorkTracker(setup.defaultRuntimeMs);
  const { policy } = setup;
  return {
    name: 'Horizon-style',
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
