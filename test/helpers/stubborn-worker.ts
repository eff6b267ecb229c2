// A server whose worker ignores the drain signal (and dies on SIGTERM without closing): what a
// hung or badly written worker looks like. Only the pool's first server misbehaves; the rest are
// normal servers that record which jobs they ran.
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { scalerKeys } from '../../src/base/redis-keys.ts';
import { runServerWorker } from '../../src/worker/index.ts';
import { readServerEnv } from '../../src/worker/server-env.ts';

const env = readServerEnv();
const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
const doneBy = async (job: { data?: { ms?: number } }) => {
  await new Promise((resolve) => setTimeout(resolve, Number(job.data?.ms ?? 100)));
  return { doneBy: env.serverId };
};

if (env.serverId.endsWith('-1')) {
  const keys = scalerKeys({ prefix: env.bullmqPrefix, cluster: env.cluster });
  for (const queue of env.queues) {
    // A short lock so the job it leaves behind is noticed as stalled quickly.
    new Worker(queue, doneBy, {
      connection: redis,
      prefix: env.bullmqPrefix,
      lockDuration: 1_000,
      name: env.serverName,
    });
  }
  const beat = () =>
    redis.set(
      keys.heartbeat(env.serverId),
      JSON.stringify({ activeJobs: 1, slots: 1, atMs: Date.now() }),
      'PX',
      5_000,
    );
  await beat();
  setInterval(() => void beat(), 500);
} else {
  await runServerWorker({ env, processor: doneBy, heartbeatMs: 300 });
}
