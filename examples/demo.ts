// `npm run demo`: the whole loop on your machine. A producer sends bursts to two queues; the
// scaler boots local "servers" (child processes), they drain the backlog, and the fleet returns
// to zero. Uses the Redis at REDIS_URL, or starts a throwaway redis-server when none answers.
import { Queue } from 'bullmq';
import { createLocalProcessProvider } from '../providers/local-process/index.ts';
import { ownerTagOf } from '../providers/provider.ts';
import { ConfigError, loadConfigFile } from '../src/config/load.ts';
import { capacityStates } from '../src/core/server-state.ts';
import { deletePrefix } from '../src/dev/delete-prefix.ts';
import { ensureRedis, NoRedisError } from '../src/dev/ensure-redis.ts';
import { Autoscaler } from '../src/index.ts';
import { whyOverTarget } from './demo-explain.ts';

const started = Date.now();
const clock = () => `${String(Math.round((Date.now() - started) / 1000)).padStart(3)}s`;
const say = (line: string) => console.log(`${clock()}  ${line}`);

const redis = await ensureRedis().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(error instanceof NoRedisError ? 2 : 1);
});
if (redis.started) say(`no Redis at REDIS_URL: started a throwaway redis-server at ${redis.url}`);

const config = await loadConfigFile(new URL('./local.config.json', import.meta.url).pathname, {
  ...process.env,
  REDIS_URL: redis.url,
}).catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.problems.join('\n') : String(error));
  process.exit(2);
});
const prefix = config.redis.bullmqPrefix;
const queues = {
  emails: new Queue('emails', { connection: { url: redis.url }, prefix }),
  reports: new Queue('reports', { connection: { url: redis.url }, prefix }),
};
// A demo interrupted earlier may have left servers and state behind: start from nothing.
await removeDemoFleet();
process.once('SIGINT', () => {
  say('interrupted: removing the demo fleet');
  void shutdown().then(() => process.exit(130));
});

const scaler = new Autoscaler(config);
let peak = 0;
const bootsMs: number[] = [];
const peakWanted = new Map<string, number>();
const limitsHit = new Map<string, string[]>();
scaler.on('server.ready', (e) => bootsMs.push(e.bootMs));
scaler.on('decision', (e) => peakWanted.set(e.pool, Math.max(peakWanted.get(e.pool) ?? 0, e.terms.raw)));
scaler.on('limit.hit', (e) => limitsHit.set(e.pool, [...(limitsHit.get(e.pool) ?? []), e.limit]));
scaler.on('decision', (e) => say(`decision  ${e.pool.padEnd(7)} ${e.reason}`));
scaler.on('server.requested', (e) => say(`+ ${e.serverId} requested`));
scaler.on('server.ready', (e) => say(`  ${e.serverId} ready after ${(e.bootMs / 1000).toFixed(1)}s`));
scaler.on('server.draining', (e) => say(`  ${e.serverId} draining (${e.reason})`));
scaler.on('server.deleted', (e) => say(`- ${e.serverId} deleted after ${(e.lifetimeMs / 1000).toFixed(0)}s`));
for (const name of [
  'server.failed',
  'server.hanging',
  'limit.hit',
  'tick.failed',
  'sample.failed',
] as const) {
  scaler.on(name, (e) => say(`! ${JSON.stringify(e)}`));
}

const burst = async (emails: number, reports: number) => {
  say(`producer: ${emails} jobs to "emails" (0.5 s each), ${reports} to "reports" (3 s each)`);
  await queues.emails.addBulk(Array.from({ length: emails }, () => ({ name: 'send', data: { ms: 500 } })));
  await queues.reports.addBulk(
    Array.from({ length: reports }, () => ({ name: 'build', data: { ms: 3000 } })),
  );
};

await scaler.start();
await burst(300, 40);
setTimeout(() => void burst(150, 20), 15_000);
const total = 300 + 40 + 150 + 20;

const deadline = Date.now() + 240_000;
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const servers = (await scaler.servers()).filter(
    (s) => capacityStates.includes(s.state) || s.state === 'draining',
  );
  peak = Math.max(peak, servers.length);
  const counts = await Promise.all(
    Object.values(queues).map((q) => q.getJobCounts('waiting', 'active', 'completed')),
  );
  const done = counts.reduce((n, c) => n + (c.completed ?? 0), 0);
  const waiting = counts.reduce((n, c) => n + (c.waiting ?? 0), 0);
  say(`status    ${done}/${total} done, ${waiting} waiting, ${servers.length} server(s)`);
  if (done === total && servers.length === 0 && (await scaler.servers()).length === 0) break;
  if (Date.now() > deadline) {
    console.error('demo: the fleet did not return to zero within 4 minutes; see the lines above');
    await shutdown();
    process.exit(1);
  }
}

const waits = await Promise.all(
  config.pools.map(async (pool) => {
    const queue = queues[pool.name as keyof typeof queues];
    const jobs = await queue.getJobs(['completed'], 0, -1);
    const worstMs = Math.max(...jobs.map((j) => (j.processedOn ?? 0) - j.timestamp));
    return { name: pool.name, done: jobs.length, worstMs, targetMs: pool.targetWaitMs };
  }),
);
const failed = (await Promise.all(Object.values(queues).map((q) => q.getFailedCount()))).reduce(
  (a, b) => a + b,
  0,
);
const meanBootMs = bootsMs.reduce((a, b) => a + b, 0) / Math.max(1, bootsMs.length);
const meanBootS = meanBootMs / 1000;
const why = (w: (typeof waits)[number]) => {
  const pool = config.pools.find((p) => p.name === w.name);
  const reasons = whyOverTarget({
    pool: w.name,
    worstWaitMs: w.worstMs,
    targetWaitMs: w.targetMs,
    meanBootMs,
    // The demo starts every pool at zero servers (minServers 0).
    startedCold: (pool?.minServers ?? 0) === 0,
    maxServers: Math.min(pool?.maxServers ?? 0, config.maxServersTotal),
    peakWantedServers: peakWanted.get(w.name) ?? 0,
    limitsHit: limitsHit.get(w.name) ?? [],
  });
  return reasons.length === 0 ? '' : `\n                 over target: ${reasons.join('; ')}`;
};
await shutdown();
console.log(`
  ─────────────────────────────────────────────
  demo finished in ${clock().trim()}
  jobs done      ${waits.reduce((n, w) => n + w.done, 0)} of ${total}, ${failed} failed
  peak servers   ${peak}, mean boot ${meanBootS.toFixed(1)} s (process start included)
${waits.map((w) => `  worst wait     ${w.name}: ${(w.worstMs / 1000).toFixed(1)} s (target ${w.targetMs / 1000} s)${why(w)}`).join('\n')}
  fleet now      0 servers
  ─────────────────────────────────────────────
  Next: \`npm run build && npx bullmq-autoscaler start --config examples/local.config.json\` runs the scaler alone.`);

async function shutdown() {
  await scaler.close();
  await removeDemoFleet();
  await Promise.all(Object.values(queues).map((q) => q.close()));
  await redis.stop();
}

/** Destroys the demo's local servers and deletes every key under the demo's own prefix. */
async function removeDemoFleet() {
  if (config.provider.type !== 'local-process') return;
  const provider = createLocalProcessProvider({
    ...config.provider,
    cluster: config.cluster,
    killGraceMs: 5_000,
  });
  for (const server of await provider.list(ownerTagOf(config.cluster)))
    await provider.destroy(server.providerId);
  await deletePrefix(redis.url, prefix);
}
