import { backlogOf, clamp, minute, queuedWorkTracker, second } from './baselines.ts';
import { capacityOf, type Policy, type PoolSetup, type PoolView, towards } from './policy.ts';

/**
 * KEDA in front of the Kubernetes HPA, with their defaults (cited in docs/policy.md): the HPA syncs
 * every 15 s; it ignores a metric within ±10 % of its target; it scales up by at most max(+4 pods,
 * +100 %) per 15 s; it scales down to the highest recommendation of the last 300 s. KEDA itself polls
 * every 30 s to activate a deployment at zero (any job, activation threshold 0) and returns it to zero
 * 300 s (cooldownPeriod) after the last active poll. One pod is one server here.
 */
const hpaSyncMs = 15 * second;
const kedaPollMs = 30 * second;
const tolerance = 0.1;
const scaleUpPods = 4;
const downStabilisationMs = 5 * minute;
const cooldownMs = 5 * minute;

/** One trigger's reading: the metric's value and the target value per replica (AverageValue). */
interface Reading {
  value: number;
  targetPerReplica: number;
}

/** The HPA's replica count for one external metric with an AverageValue target, tolerance included. */
function replicasFor(reading: Reading, current: number): number {
  if (current > 0) {
    const usageRatio = reading.value / (reading.targetPerReplica * current);
    if (Math.abs(usageRatio - 1) <= tolerance) return current;
  }
  return Math.ceil(reading.value / reading.targetPerReplica);
}

function kedaScaler(setup: PoolSetup, name: string, read: (view: PoolView) => Reading[]): Policy {
  const { policy } = setup;
  const recommendations: { atMs: number; replicas: number }[] = [];
  let lastActiveAtMs = Number.NEGATIVE_INFINITY;
  return {
    name,
    intervalMs: hpaSyncMs,
    step(view) {
      const current = capacityOf(view.servers);
      const readings = read(view);
      const pollsNow = view.nowMs % kedaPollMs === 0;
      const active = readings.some((r) => r.value > 0);
      if (pollsNow && active) lastActiveAtMs = view.nowMs;
      if (current === 0) {
        const wake = pollsNow && active;
        return towards(clamp(wake ? 1 : 0, policy), view.servers, wake ? 'KEDA activation' : 'inactive');
      }
      if (pollsNow && view.nowMs - lastActiveAtMs >= cooldownMs) {
        return towards(clamp(0, policy), view.servers, 'KEDA cooldown over: scale to zero');
      }
      // With several triggers the HPA takes the largest of their replica counts.
      const wanted = Math.max(1, ...readings.map((r) => replicasFor(r, current)));
      recommendations.push({ atMs: view.nowMs, replicas: wanted });
      while ((recommendations[0]?.atMs ?? view.nowMs) <= view.nowMs - downStabilisationMs)
        recommendations.shift();
      const stabilised =
        wanted >= current ? wanted : Math.min(current, Math.max(...recommendations.map((r) => r.replicas)));
      const limited = Math.min(stabilised, Math.max(current + scaleUpPods, 2 * current));
      const desired = clamp(Math.max(1, limited), policy);
      const shown = readings.map((r) => `${r.value.toFixed(0)}/${r.targetPerReplica.toFixed(1)}`).join(', ');
      return towards(desired, view.servers, `metric ${shown} → ${wanted}`);
    },
  };
}

/**
 * KEDA's redis-lists scaler as its documentation's example configures it: one trigger per queue on the
 * wait list (`listName: bull:<queue>:wait`) with `listLength: "5"` jobs per replica. A list trigger
 * sees LLEN only: prioritized and delayed jobs live in sorted sets it cannot read.
 */
export function kedaListLengthPolicy(setup: PoolSetup): Policy {
  return kedaScaler(setup, 'KEDA listLength 5', (view) =>
    view.samples.map((s) => ({ value: s.waiting, targetPerReplica: 5 })),
  );
}

/**
 * KEDA with a metrics trigger as a user who knows the pool would set it: jobs in the system (ready +
 * running) against 85 % of a server's slots, so replicas follow the work rather than the queue.
 */
export function kedaJobsInSystemPolicy(setup: PoolSetup): Policy {
  const target = 0.85 * setup.policy.slotsPerServer;
  return kedaScaler(setup, 'KEDA jobs ÷ 85 % slots', (view) => [
    { value: view.samples.reduce((sum, s) => sum + backlogOf(s) + s.active, 0), targetPerReplica: target },
  ]);
}

/**
 * What this benchmark called "KEDA-style" until the peers were configured from their docs: the
 * backlog against AWS's acceptable-backlog-per-instance target (slots × wait target ÷ runtime), with
 * the HPA's default behaviour.
 */
export function backlogPerInstancePolicy(setup: PoolSetup): Policy {
  const queued = queuedWorkTracker(setup.defaultRuntimeMs);
  const { policy } = setup;
  return kedaScaler(setup, 'backlog per instance (AWS target)', (view) => {
    const { backlog, workMs } = queued(view);
    const runtimeMs = backlog > 0 ? workMs / backlog : setup.defaultRuntimeMs;
    return [
      {
        value: backlog,
        targetPerReplica: Math.max(1, (policy.slotsPerServer * policy.targetWaitMs) / runtimeMs),
      },
    ];
  });
}
