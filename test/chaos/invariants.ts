/** One job run as a chaos worker logged it: which server started or ended it, and when. */
export interface RunEntry {
  job: string;
  server: string;
  atMs: number;
  event: 'start' | 'end';
}

/** What may cut a run short, so that its job runs again: BullMQ is at-least-once. */
export interface Causes {
  /**
   * Servers whose worker was SIGKILLed, or that the scaler deleted without a finished drain
   * (deadline, failure, hang: "cut off") or failed for a lost heartbeat.
   */
  servers: ReadonlySet<string>;
  /** Redis outages: a run in flight during one may lose its lock, or its completion. */
  outages: readonly { fromMs: number; toMs: number }[];
}

/** Everything a chaos run is judged by, as counted from Redis, the fake API and the proxy. */
export interface Measured {
  jobs: number;
  completed: number;
  /** Jobs BullMQ failed because they stalled past maxStalledCount: permanently failed, not completed. */
  failedStalled: number;
  /** Their ids, to name them. */
  failedStalledJobs: string[];
  failedOther: number;
  /** Jobs that ran more than once. */
  rerunJobs: number;
  /** `job: why` for every run cut short without a cause on its server or a Redis outage over it. */
  unexplainedReruns: string[];
  /** `job: why` for every job failed for stalling that did not run twice on servers with a cause. */
  unexplainedStalls: string[];
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
  /** Servers failed for a lost heartbeat whose worker never crashed: healthy servers destroyed. */
  healthyServersFailed: string[];
  /** Servers deleted without a finished drain (deadline, failure, hang): their running jobs are cut. */
  forcedRemovals: number;
  apiCalls: number;
  faultsInjected: number;
  peakCallsPerMinute: number;
  scalerKills: number;
  workerCrashes: number;
  firstReadyMs: number | undefined;
  /** From the last job's finishedOn to an empty fleet. */
  convergeMs: number;
}

/** The damage a scenario plans, and the budget it runs under. */
export interface Planned {
  workerCrashes: number;
  scalerKills: number;
  requestsPerMinute: number;
  convergeBoundMs: number;
}

/** The invariants every scenario must keep; each broken one is a line naming the numbers. */
export function checkInvariants(p: Planned, m: Measured): string[] {
  const broken: string[] = [];
  const expect = (ok: boolean, what: string) => {
    if (!ok) broken.push(what);
  };
  expect(
    m.completed + m.failedStalled === m.jobs,
    `${m.completed + m.failedStalled} of ${m.jobs} jobs finished (${m.completed} completed, ${m.failedStalled} failed past the stall limit)`,
  );
  expect(m.failedOther === 0, `${m.failedOther} jobs failed for reasons other than stalling`);
  expect(
    m.unexplainedStalls.length === 0,
    `${m.unexplainedStalls.length} jobs failed past the stall limit without two runs cut short by a cause: ${m.unexplainedStalls.join('; ')}`,
  );
  expect(
    m.unexplainedReruns.length === 0,
    `${m.unexplainedReruns.length} runs cut short without a crash, cut-off or outage on their server: ${m.unexplainedReruns.join('; ')}`,
  );
  expect(
    m.healthyServersFailed.length === 0,
    `${m.healthyServersFailed.length} servers with a live worker failed for a lost heartbeat: ${m.healthyServersFailed.join(', ')}`,
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
    m.peakCallsPerMinute <= p.requestsPerMinute,
    `${m.peakCallsPerMinute} API calls in one minute, over the budget of ${p.requestsPerMinute}`,
  );
  expect(
    m.convergeMs <= p.convergeBoundMs,
    `fleet not empty ${p.convergeBoundMs} ms after the last job finished`,
  );
  // A scenario that did not do its damage proves nothing about surviving it.
  expect(
    m.workerCrashes >= p.workerCrashes,
    `only ${m.workerCrashes} of ${p.workerCrashes} planned worker crashes landed`,
  );
  expect(m.scalerKills >= p.scalerKills, `only ${m.scalerKills} of ${p.scalerKills} planned scaler kills`);
  return broken;
}

/** Each job's runs in order: the server and the span of each. */
function runsByJob(
  entries: readonly RunEntry[],
): Map<string, { server: string; fromMs: number; toMs: number }[]> {
  const jobs = new Map<string, { server: string; fromMs: number; toMs: number }[]>();
  for (const e of [...entries].sort((a, b) => a.atMs - b.atMs)) {
    const runs = jobs.get(e.job) ?? [];
    jobs.set(e.job, runs);
    if (e.event === 'start') runs.push({ server: e.server, fromMs: e.atMs, toMs: Number.POSITIVE_INFINITY });
    else {
      const open = runs.findLast((r) => r.server === e.server && r.toMs === Number.POSITIVE_INFINITY);
      if (open) open.toMs = e.atMs;
    }
  }
  return jobs;
}

function explained(run: { server: string; fromMs: number; toMs: number }, causes: Causes): boolean {
  if (causes.servers.has(run.server)) return true;
  return causes.outages.some((o) => run.fromMs <= o.toMs && run.toMs >= o.fromMs);
}

function described(job: string, run: { server: string; fromMs: number }): string {
  return `${job} cut short on ${run.server} at ${run.fromMs}`;
}

/**
 * Every run of a job but its last was cut short (the job ran again): each must have been on a
 * server with a cause, or in flight during a Redis outage. Anything else is a job run twice by
 * a bug: a lock lost on a live server, a job handed to two workers.
 */
export function unexplainedReruns(entries: readonly RunEntry[], causes: Causes): string[] {
  return [...runsByJob(entries)].flatMap(([job, runs]) =>
    runs
      .slice(0, -1)
      .filter((run) => !explained(run, causes))
      .map((run) => described(job, run)),
  );
}

/**
 * A job failed past the stall limit (maxStalledCount 1) has stalled twice: it must have run at
 * least twice, and every one of its runs been cut short by a cause.
 */
export function unexplainedStalls(
  entries: readonly RunEntry[],
  causes: Causes,
  stalledJobs: readonly string[],
): string[] {
  const jobs = runsByJob(entries);
  return stalledJobs.flatMap((job) => {
    const runs = jobs.get(job) ?? [];
    if (runs.length < 2) return [`${job} ran ${runs.length} time(s)`];
    return runs.filter((run) => !explained(run, causes)).map((run) => described(job, run));
  });
}
