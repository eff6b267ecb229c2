import { execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { startHeartbeats } from './lib/heartbeats.ts';
import { cpuSeconds, rssBytes, treeTotal } from './lib/proc.ts';
import { populateQueues, queueNames } from './lib/queues.ts';
import { benchPrefix, deletePrefix, sleep } from './lib/redis.ts';
import { type BenchResult, goal, tableOf } from './lib/report.ts';
import { benchCluster } from './lib/scaler.ts';
import { mean, percentile } from './lib/stats.ts';

const queues = 100;
const servers = 50;
/** The issue asks for 10 minutes; 2 keep `npm run bench` under 10. BENCH_OVERHEAD_SECONDS=600 runs the full one. */
const windowSeconds = Number(process.env.BENCH_OVERHEAD_SECONDS ?? 120);
/** Start-up (connecting, requesting the 50 servers) is not the steady cost. */
const warmupMs = 15_000;
const rssGoalBytes = 150 * 2 ** 20;
const cpuGoal = 0.02;

interface Window {
  cpuShare: number;
  rss: number[];
}

/**
 * bench/overhead-scaler.ts compiled, for plain node: the installed CLI runs compiled JavaScript,
 * so a TypeScript loader in the measured process would count memory no user pays for. Inside
 * node_modules so the compiled files resolve the project's packages.
 */
function compiledScaler(): string {
  const outDir = 'node_modules/.cache/bench-overhead';
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  rmSync(outDir, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      tsc,
      'bench/overhead-scaler.ts',
      '--ignoreConfig',
      ...['--outDir', outDir, '--rootDir', '.', '--module', 'nodenext', '--target', 'es2022'],
      ...[
        '--rewriteRelativeImportExtensions',
        '--allowImportingTsExtensions',
        '--skipLibCheck',
        '--types',
        'node',
      ],
    ],
    { stdio: 'inherit' },
  );
  return join(outDir, 'bench/overhead-scaler.js');
}

async function measure(pid: number): Promise<Window> {
  const rss: number[] = [];
  const cpuBefore = treeTotal(pid, cpuSeconds);
  const began = performance.now();
  while (performance.now() - began < windowSeconds * 1_000) {
    rss.push(treeTotal(pid, rssBytes));
    await sleep(1_000);
  }
  const cpu = treeTotal(pid, cpuSeconds) - cpuBefore;
  return { cpuShare: cpu / ((performance.now() - began) / 1_000), rss };
}

export async function overheadBench(url: string): Promise<BenchResult> {
  const prefix = benchPrefix('overhead');
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  await populateQueues(redis, prefix, queueNames(queues));
  const beats = await startHeartbeats(url, prefix, benchCluster);
  const child = fork(compiledScaler(), {
    env: {
      ...process.env,
      BENCH_REDIS_URL: url,
      BENCH_PREFIX: prefix,
      BENCH_QUEUES: String(queues),
      BENCH_SERVERS: String(servers),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    await once(child, 'message');
    await sleep(warmupMs);
    console.log(`overhead: measuring the scaler (pid ${child.pid}) for ${windowSeconds} s`);
    const window = await measure(child.pid ?? 0);
    return report(window);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    await beats.stop();
    await redis.quit();
    await deletePrefix(url, prefix);
  }
}

/** From a one-off diagnosis on this machine (method in "Scaler overhead"); shown only when a run misses. */
const whyRss =
  'Before the package shipped compiled JavaScript the scaler ran through the tsx loader, about 39 MB of its ' +
  'memory (136 MB then). Before the sampler moved into Lua and the stalled checker became on-demand (one ' +
  'blocking connection per queue, always), this measured 188–225 MB, so what remains grows with the queues ' +
  'far less than it did';
const whyCpu =
  'The floor is the fixed per-tick work; before the sampler moved into Lua a CPU profile put its ioredis ' +
  'commands (1,300 per tick at 100 queues, ~10 µs each) first and this measured 3.5–3.8 %. The shared ' +
  'machine adds noise of a point or more between runs';

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const pct = (share: number) => `${(share * 100).toFixed(2)} %`;

function report(w: Window): BenchResult {
  const peak = Math.max(...w.rss);
  return {
    title: 'Scaler overhead',
    summary: [
      [`scaler RSS, ${queues} queues, ${servers} servers (max)`, mb(peak), '150 MB goal', '—'],
      ['scaler CPU, share of one core', pct(w.cpuShare), '2 % goal', '—'],
    ],
    markdown: [
      `The scaler runs in its own process, compiled to JavaScript and run by plain node as the installed CLI runs, at the default tick with one ` +
        `pool of ${queues} populated queues (as in the sampler benchmark) and ${servers} servers (minServers = ` +
        `maxServers = ${servers}). The servers are not real: an injected provider records them as created and the ` +
        `benchmark writes the ${servers} heartbeats their workers would write every second, so each tick reads a ` +
        `ready fleet of ${servers}. After ${warmupMs / 1000} s of start-up, CPU (user + system) and RSS of the scaler ` +
        `process and its children are read from /proc every second for ${windowSeconds} s. The issue asks for ` +
        '10 minutes; the default window of 120 s keeps `npm run bench` under 10 minutes, and ' +
        '`BENCH_OVERHEAD_SECONDS=600 npm run bench:system` measures the full one. The causes given for a missed ' +
        'goal come from one-off diagnoses with the same set-up: StalledChecker.start() replaced by a no-op, and ' +
        'a 10 s `node --cpu-prof` profile.',
      '',
      ...tableOf(
        ['what', 'value'],
        [
          ['CPU, share of one core (whole window)', pct(w.cpuShare)],
          ['RSS p50', mb(percentile(w.rss, 50))],
          ['RSS max', mb(peak)],
          ['RSS mean', mb(mean(w.rss))],
        ],
      ),
    ],
    goals: [
      goal(peak <= rssGoalBytes, `RSS ≤ 150 MB: max ${mb(peak)} over ${windowSeconds} s`, whyRss),
      goal(w.cpuShare <= cpuGoal, `CPU ≤ 2 % of a core: ${pct(w.cpuShare)} over ${windowSeconds} s`, whyCpu),
    ],
  };
}
