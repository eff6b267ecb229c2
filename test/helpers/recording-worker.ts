// A server's worker for tests: runs each job for job.data.ms and records who ran it and when,
// so tests can prove exactly-once processing and that no server stopped mid-job.
import { runServerWorker, serverRedis } from '../../src/worker/index.ts';
import { readServerEnv } from '../../src/worker/server-env.ts';

const env = readServerEnv();
// The server's own client: one Redis, a Cluster or a Sentinel set, as the scaler said.
const log = serverRedis(env);
const runsKey = `${env.bullmqPrefix}:test:runs`;
const spansKey = `${env.bullmqPrefix}:test:spans`;

// Every process that ever ran as a server, so tests can prove no server ran twice. A set, so a
// command resent by the client after a reconnect cannot look like a second process.
await log.sadd(`${env.bullmqPrefix}:test:starts`, `${env.serverId}:${process.pid}`);

await runServerWorker({
  env,
  async processor(job) {
    const startedAtMs = Date.now();
    await log.hincrby(runsKey, `${job.queueName}:${job.id}`, 1);
    await new Promise((resolve) => setTimeout(resolve, Number(job.data?.ms ?? 50)));
    const span = {
      job: `${job.queueName}:${job.id}`,
      server: env.serverId,
      startedAtMs,
      endedAtMs: Date.now(),
    };
    await log.rpush(spansKey, JSON.stringify(span));
  },
});
