// A droplet's worker in chaos runs: runs each job for job.data.ms and records it. Its short lock
// lets the scaler's stalled checker return a crashed server's jobs in seconds, not BullMQ's 30 s.
import { Redis } from 'ioredis';
import { runServerWorker } from '../../src/worker/index.ts';
import { readServerEnv } from '../../src/worker/server-env.ts';

const env = readServerEnv();
const log = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
log.on('error', () => {});

const runLog = `${env.bullmqPrefix}:test:runlog`;
let runs = 0;

// A set: a command resent after a reconnect cannot look like a second process.
await log.sadd(`${env.bullmqPrefix}:test:starts`, `${env.serverId}:${process.pid}`);

await runServerWorker({
  env,
  heartbeatMs: 500,
  workerOptions: { lockDuration: 2_000, stalledInterval: 1_000 },
  async processor(job) {
    // Each run's server, so a re-run can be traced to what cut the earlier run short.
    // A hash field per run and event: a command resent after a reconnect cannot add a run.
    const run = `${env.serverId}:${process.pid}:${++runs}`;
    const entry = (event: 'start' | 'end') =>
      log.hset(
        runLog,
        `${run}:${event}`,
        JSON.stringify({ job: `${job.queueName}:${job.id}`, server: env.serverId, atMs: Date.now(), event }),
      );
    await entry('start');
    // Runs per job, as the other tests that use these workers count them.
    await log.hincrby(`${env.bullmqPrefix}:test:runs`, `${job.queueName}:${job.id}`, 1);
    await new Promise((resolve) => setTimeout(resolve, Number(job.data?.ms ?? 50)));
    await entry('end');
  },
});
