import { requestsPerMinute, type World } from './world.ts';

const stallLimit = 'job stalled more than allowable limit';

/** Everything a chaos run is judged by, as counted from Redis, the fake API and the proxy. */
export interface Measured {
  jobs: number;
  completed: number;
  /** Jobs BullMQ failed because they stalled past maxStalledCount (each ran on a crashed server). */
  failedStalled: number;
  failedOther: number;
  /** Jobs that ran more than once; only crashed workers may cause it. */
  rerunJobs: number;
  /** Jobs that failed for stalling without having run on two servers: a lost job. */
  stalledWithoutRerun: number;
  duplicateDroplets: number;
  /** The names behind duplicateDroplets, to trace them in the API log. */
  duplicateNames: string[];
  duplicateServerProcesses: number;
  leftoverDroplets: number;
  leftoverRecords: number;
  /** `id state (reason)` of every record left, to say where a run got stuck. */
  leftover: string[];
  bystandersTouched: number;
  dropletsCreated: number;
  hangs: number;
  heartbeatLosses: number;
  /** Servers deleted without a finished drain (deadline, failure, hang): their running jobs are cut. */
  forcedRemovals: number;
  apiCalls: number;
  faultsInjected: number;
  peakCallsPerMinute: number;
  scalerKills: number;
  workerCrashes: number;
  firstReadyMs: number | undefined;
  convergeMs: number;
}

export interface Timing {
  jobs: number;
  startedAt: number;
  workDoneAt: number;
  zeroAt: number;
  scalerKills: number;
}

export async function measure(world: World, t: Timing): Promise<Measured> {
  const records = await world.store.list();
  const counts = await world.queue.getJobCounts('completed', 'failed');
  const failed = await world.queue.getFailed();
  const runs = await world.redis.hgetall(`${world.o.prefix}:test:runs`);
  const reruns = new Set(
    Object.entries(runs)
      .filter(([, n]) => Number(n) > 1)
      .map(([job]) => job),
  );
  const stalled = failed.filter((j) => j.failedReason === stallLimit);
  const history = await world.store.history(undefined, 10_000);
  const firstReady = history.find((e) => e.to === 'ready');
  return {
    jobs: t.jobs,
    completed: counts.completed ?? 0,
    failedStalled: stalled.length,
    failedOther: failed.length - stalled.length,
    rerunJobs: reruns.size,
    stalledWithoutRerun: stalled.filter((j) => !reruns.has(`${j.queueName}:${j.id}`)).length,
    duplicateDroplets: duplicates(createdNames(world)),
    duplicateNames: createdNames(world).filter((n, i, all) => all.indexOf(n) !== i),
    duplicateServerProcesses: duplicates(await startedServers(world)),
    leftoverDroplets: world.ownedDroplets().length,
    leftoverRecords: records.length,
    leftover: records.map((r) => `${r.id} ${r.state} (${r.reason})`),
    bystandersTouched: bystandersTouched(world),
    dropletsCreated: createdNames(world).length,
    hangs: history.filter((e) => e.to === 'hanging').length,
    heartbeatLosses: history.filter((e) => e.to === 'failed' && e.reason === 'heartbeat lost').length,
    forcedRemovals: history.filter((e) => e.to === 'deleting' && e.reason !== 'drained').length,
    apiCalls: world.proxy.callTimes.length,
    faultsInjected: world.proxy.injected,
    peakCallsPerMinute: world.proxy.peakCalls(60_000),
    scalerKills: t.scalerKills,
    workerCrashes: world.servers.crashed,
    firstReadyMs: firstReady === undefined ? undefined : firstReady.atMs - t.startedAt,
    convergeMs: t.zeroAt - t.workDoneAt,
  };
}

/** The invariants every scenario must keep; each broken one is a line naming the numbers. */
export function checkInvariants(
  s: { workerCrashes: number; redisRestart: boolean },
  m: Measured,
  convergeBoundMs: number,
): string[] {
  const broken: string[] = [];
  const expect = (ok: boolean, what: string) => {
    if (!ok) broken.push(what);
  };
  expect(m.completed + m.failedStalled === m.jobs, `${m.completed} of ${m.jobs} jobs completed`);
  expect(m.failedOther === 0, `${m.failedOther} jobs failed for reasons other than stalling`);
  expect(m.stalledWithoutRerun === 0, `${m.stalledWithoutRerun} jobs failed as stalled without a crash`);
  // BullMQ is at-least-once: a job whose lock lapsed (its worker crashed or was cut off with its
  // server, or Redis was away longer than the lock) runs again. Anywhere else a second run is a bug.
  expect(
    s.workerCrashes > 0 || s.redisRestart || m.forcedRemovals > 0 || m.rerunJobs === 0,
    `${m.rerunJobs} jobs ran twice without a crashed worker, a server cut off or a Redis outage`,
  );
  expect(
    m.duplicateDroplets === 0,
    `${m.duplicateDroplets} droplet names created twice: ${m.duplicateNames.join(', ')}`,
  );
  expect(m.duplicateServerProcesses === 0, `${m.duplicateServerProcesses} servers ran two workers`);
  expect(m.leftoverDroplets === 0, `${m.leftoverDroplets} tagged droplets left (orphans)`);
  expect(m.leftoverRecords === 0, `${m.leftoverRecords} server records left: ${m.leftover.join(', ')}`);
  expect(m.bystandersTouched === 0, `${m.bystandersTouched} writes to droplets without our tag`);
  expect(
    m.peakCallsPerMinute <= requestsPerMinute,
    `${m.peakCallsPerMinute} API calls in one minute, over the budget of ${requestsPerMinute}`,
  );
  expect(m.convergeMs <= convergeBoundMs, `fleet not empty ${convergeBoundMs} ms after the work ended`);
  return broken;
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
