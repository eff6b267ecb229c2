// A droplet's worker in chaos runs: runs each job for job.data.ms and records it. Its short lock
// lets the scaler's stalled checker return a crashed server's jobs in seconds, not BullMQ's 30 s.
import { Redis } from 'ioredis';
import { runServerWorker } from '../../src/worker/index.ts';
import { readServerEnv } from '../../src/worker/server-env.ts';

const env = readServerEnv();
const log = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
log.on('error', () => {});

// A set: a command resent after a reconnect cannot look like a second process.
await log.sadd(`${env.bullmqPrefix}:test:starts`, `${env.serverId}:${process.pid}`);

await runServerWorker({
  env,
  heartbeatMs: 500,
  workerOptions: { lockDuration: 2_000, stalledInterval: 1_000 },
  async processor(job) {
    await log.hincrby(`${env.bullmqPrefix}:test:runs`, `${job.queueName}:${job.id}`, 1);
    await new Promise((resolve) => setTimeout(resolve, Number(job.data?.ms ?? 50)));
  },
});
