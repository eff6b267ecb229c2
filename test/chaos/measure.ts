import type { Job } from 'bullmq';
import {
  type Causes,
  type Measured,
  type RunEntry,
  unexplainedReruns,
  unexplainedStalls,
} from './invariants.ts';
import type { World } from './world.ts';

const stallLimit = 'job stalled more than allowable limit';

export interface Timing {
  jobs: number;
  startedAt: number;
  zeroAt: number;
  scalerKills: number;
  /** When Redis was stopped and when it answered again, in scenarios that stop it. */
  outages: { fromMs: number; toMs: number }[];
}

/** The figures of a finished run, read from Redis, the fake API, the proxy and the servers. */
export async function measure(world: World, t: Timing): Promise<Measured> {
  const records = await world.store.list();
  const counts = await world.queue.getJobCounts('completed', 'failed');
  const failed = await world.queue.getFailed(0, -1);
  const finished = [...failed, ...(await world.queue.getCompleted(0, -1))];
  const entries = (await world.redis.hvals(`${world.o.prefix}:test:runlog`)).map(
    (line) => JSON.parse(line) as RunEntry,
  );
  const stalled = failed.filter((j) => j.failedReason === stallLimit).map(jobKey);
  const history = await world.store.history(undefined, 10_000);
  const firstReady = history.find((e) => e.to === 'ready');
  const crashed = world.servers.crashedIds;
  const lostHeartbeat = history.filter((e) => e.to === 'failed' && e.reason === 'heartbeat lost');
  const cutOff = history.filter(
    (e) => (e.to === 'deleting' && e.reason !== 'drained') || e.to === 'failed' || e.to === 'hanging',
  );
  const causes: Causes = {
    servers: new Set([...crashed, ...cutOff.map((e) => e.server)]),
    outages: t.outages,
  };
  return {
    jobs: t.jobs,
    completed: counts.completed ?? 0,
    failedStalled: stalled.length,
    failedStalledJobs: stalled,
    failedOther: failed.length - stalled.length,
    rerunJobs: rerunCount(entries),
    unexplainedReruns: unexplainedReruns(entries, causes),
    unexplainedStalls: unexplainedStalls(entries, causes, stalled),
    duplicateDroplets: duplicates(createdNames(world)),
    duplicateNames: createdNames(world).filter((n, i, all) => all.indexOf(n) !== i),
    duplicateServerProcesses: duplicates(await startedServers(world)),
    leftoverDroplets: world.ownedDroplets().length,
    leftoverRecords: records.length,
    leftover: records.map((r) => `${r.id} ${r.state} (${r.reason})`),
    bystandersTouched: bystandersTouched(world),
    dropletsCreated: createdNames(world).length,
    hangs: history.filter((e) => e.to === 'hanging').length,
    heartbeatLosses: lostHeartbeat.length,
    healthyServersFailed: lostHeartbeat.map((e) => e.server).filter((id) => !crashed.has(id)),
    forcedRemovals: history.filter((e) => e.to === 'deleting' && e.reason !== 'drained').length,
    apiCalls: world.proxy.callTimes.length,
    faultsInjected: world.proxy.injected,
    peakCallsPerMinute: world.proxy.peakCalls(60_000),
    scalerKills: t.scalerKills,
    workerCrashes: world.servers.crashed,
    firstReadyMs: firstReady === undefined ? undefined : firstReady.atMs - t.startedAt,
    // From the last job BullMQ finished, not from when the run noticed: polling adds no seconds.
    convergeMs: t.zeroAt - Math.max(...finished.map((j) => j.finishedOn ?? 0)),
  };
}

function jobKey(job: Job): string {
  return `${job.queueName}:${job.id}`;
}

/** Jobs started more than once. */
function rerunCount(entries: readonly RunEntry[]): number {
  const starts = new Map<string, number>();
  for (const e of entries) if (e.event === 'start') starts.set(e.job, (starts.get(e.job) ?? 0) + 1);
  return [...starts.values()].filter((n) => n > 1).length;
}

/** Every droplet name the fake was asked to create; each POST reaching it creates all its names. */
function createdNames(world: World): string[] {
  return world.fake.requestsTo('POST', '/v2/droplets').flatMap((r) => {
    const body = (r.body ?? {}) as { names?: unknown; name?: unknown };
    return Array.isArray(body.names) ? body.names.map(String) : [String(body.name)];
  });
}

async function startedServers(world: World): Promise<string[]> {
  const starts = await world.redis.smembers(`${world.o.prefix}:test:starts`);
  return starts.map((s) => s.split(':')[0] ?? s);
}

function duplicates(values: string[]): number {
  return values.length - new Set(values).size;
}

/** Writes (anything but GET) to a bystander, or a bystander gone. */
function bystandersTouched(world: World): number {
  return world.bystanders.reduce((touched, d) => {
    const writes = world.fake.requests.filter(
      (r) => r.method !== 'GET' && r.path.startsWith(`/v2/droplets/${d.id}`),
    ).length;
    return touched + writes + (world.fake.droplets.has(d.id) ? 0 : 1);
  }, 0);
}
