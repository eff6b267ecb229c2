import { describe, expect, it } from 'vitest';
import {
  type Causes,
  checkInvariants,
  type Measured,
  type Planned,
  type RunEntry,
  unexplainedReruns,
  unexplainedStalls,
} from '../chaos/invariants.ts';

/*
 * Every chaos invariant must be able to fail: each case plants one violation in an otherwise
 * clean run and expects exactly that invariant to be reported.
 */
const planned: Planned = {
  workerCrashes: 2,
  scalerKills: 3,
  requestsPerMinute: 120,
  convergeBoundMs: 45_000,
};

const clean: Measured = {
  jobs: 40,
  completed: 38,
  failedStalled: 2,
  failedStalledJobs: ['alpha:7', 'alpha:9'],
  failedOther: 0,
  rerunJobs: 5,
  unexplainedReruns: [],
  unexplainedStalls: [],
  duplicateDroplets: 0,
  duplicateNames: [],
  duplicateServerProcesses: 0,
  leftoverDroplets: 0,
  leftoverRecords: 0,
  leftover: [],
  bystandersTouched: 0,
  dropletsCreated: 6,
  hangs: 1,
  heartbeatLosses: 2,
  healthyServersFailed: [],
  forcedRemovals: 3,
  apiCalls: 200,
  faultsInjected: 10,
  peakCallsPerMinute: 120,
  scalerKills: 3,
  workerCrashes: 2,
  firstReadyMs: 1_000,
  convergeMs: 45_000,
};

const planted: [string, Partial<Measured>, RegExp][] = [
  [
    'a job neither completed nor failed',
    { completed: 37 },
    /^39 of 40 jobs finished \(37 completed, 2 failed past the stall limit\)$/,
  ],
  ['a job failed for another reason', { failedOther: 1 }, /^1 jobs failed for reasons other than stalling$/],
  [
    'a stall-failed job without two cut runs',
    { unexplainedStalls: ['alpha:7 ran 1 time(s)'] },
    /^1 jobs failed past the stall limit .*alpha:7/,
  ],
  [
    'a run cut short on a healthy server',
    { unexplainedReruns: ['alpha:3 cut short on main-2 at 5'] },
    /^1 runs cut short .*alpha:3/,
  ],
  [
    'a healthy server failed',
    { healthyServersFailed: ['main-4'] },
    /^1 servers with a live worker failed .*main-4/,
  ],
  [
    'a droplet name created twice',
    { duplicateDroplets: 1, duplicateNames: ['c-main-1'] },
    /^1 droplet names created twice: c-main-1$/,
  ],
  ['a server with two workers', { duplicateServerProcesses: 1 }, /^1 servers ran two workers$/],
  ['an orphan droplet', { leftoverDroplets: 1 }, /^1 tagged droplets left/],
  [
    'a record left',
    { leftoverRecords: 1, leftover: ['main-3 draining (x)'] },
    /^1 server records left: main-3/,
  ],
  ['a bystander touched', { bystandersTouched: 1 }, /^1 writes to droplets without our tag$/],
  [
    'the API budget broken',
    { peakCallsPerMinute: 121 },
    /^121 API calls in one minute, over the budget of 120$/,
  ],
  ['no convergence', { convergeMs: 45_001 }, /^fleet not empty 45000 ms after the last job finished$/],
  [
    'a planned worker crash that never landed',
    { workerCrashes: 1 },
    /^only 1 of 2 planned worker crashes landed$/,
  ],
  ['a planned scaler kill not done', { scalerKills: 2 }, /^only 2 of 3 planned scaler kills$/],
];

describe('chaos invariants', () => {
  it('a clean run breaks none', () => {
    expect(checkInvariants(planned, clean)).toEqual([]);
  });

  it.each(planted)('%s is caught', (_, violation, line) => {
    const broken = checkInvariants(planned, { ...clean, ...violation });
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatch(line);
  });
});

const run = (job: string, server: string, fromMs: number, toMs?: number): RunEntry[] => [
  { job, server, atMs: fromMs, event: 'start' },
  ...(toMs === undefined ? [] : [{ job, server, atMs: toMs, event: 'end' as const }]),
];
const noCause: Causes = { servers: new Set(), outages: [] };

describe('re-runs are attributed to the server that held the job', () => {
  const rerunAfterCrash = [...run('alpha:1', 'main-1', 100), ...run('alpha:1', 'main-2', 900, 1_200)];

  it('a run cut short on a crashed or cut-off server explains the re-run', () => {
    expect(unexplainedReruns(rerunAfterCrash, { ...noCause, servers: new Set(['main-1']) })).toEqual([]);
  });

  it('a cause on another server does not: the run on main-1 is a bug', () => {
    expect(unexplainedReruns(rerunAfterCrash, { ...noCause, servers: new Set(['main-2']) })).toEqual([
      'alpha:1 cut short on main-1 at 100',
    ]);
  });

  it('a Redis outage explains only the runs in flight during it', () => {
    const outage = (fromMs: number, toMs: number): Causes => ({ ...noCause, outages: [{ fromMs, toMs }] });
    expect(unexplainedReruns(rerunAfterCrash, outage(500, 800))).toEqual([]);
    const finishedBefore = [...run('alpha:2', 'main-1', 100, 200), ...run('alpha:2', 'main-2', 900, 1_000)];
    expect(unexplainedReruns(finishedBefore, outage(500, 800))).toEqual([
      'alpha:2 cut short on main-1 at 100',
    ]);
  });

  it('a job run once is no re-run', () => {
    expect(unexplainedReruns(run('alpha:3', 'main-1', 100, 200), noCause)).toEqual([]);
  });

  it('a job failed past the stall limit must have run twice, each run cut by a cause', () => {
    const crashed = { ...noCause, servers: new Set(['main-1', 'main-2']) };
    const twice = [...run('alpha:4', 'main-1', 100), ...run('alpha:4', 'main-2', 900)];
    expect(unexplainedStalls(twice, crashed, ['alpha:4'])).toEqual([]);
    expect(unexplainedStalls(run('alpha:4', 'main-1', 100), crashed, ['alpha:4'])).toEqual([
      'alpha:4 ran 1 time(s)',
    ]);
    expect(unexplainedStalls(twice, { ...noCause, servers: new Set(['main-1']) }, ['alpha:4'])).toEqual([
      'alpha:4 cut short on main-2 at 900',
    ]);
  });
});
