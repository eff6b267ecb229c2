import { type ChildProcess, spawn } from 'node:child_process';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { runServerWorker, type ServerWorker } from '../../src/worker/index.ts';
import { readServerEnv, type ServerEnv, serverEnvToVariables } from '../../src/worker/server-env.ts';
import { deletePrefix, redisUrl, uniquePrefix, waitFor } from '../helpers/redis.ts';

const stalledCheckMs = 1_000;

function envOf(prefix: string, serverId: string): ServerEnv {
  return {
    serverId,
    serverName: `lock-${serverId}`,
    pool: 'main',
    redisUrl: redisUrl(),
    redis: { url: redisUrl() },
    cluster: 'lock',
    bullmqPrefix: prefix,
    queues: ['jobs'],
    slots: 1,
    stalledCheckMs,
  };
}

describe('a dead worker’s jobs come back on the scaler’s stalledCheckMs, not BullMQ’s 30 s lock', () => {
  const prefix = uniquePrefix('lock');
  const redis = new Redis(redisUrl());
  const queue = new Queue('jobs', { connection: { url: redisUrl() }, prefix });
  let child: ChildProcess | undefined;
  let rescuer: ServerWorker | undefined;
  afterAll(async () => {
    child?.kill('SIGKILL');
    await rescuer?.drain('test over');
    await queue.close();
    await deletePrefix(redisUrl(), prefix);
    redis.disconnect();
  });

  it('STALLED_CHECK_MS travels through the environment', () => {
    const env = envOf(prefix, 's1');
    expect(readServerEnv(serverEnvToVariables(env))).toEqual(env);
    expect(readServerEnv({ ...serverEnvToVariables(env), STALLED_CHECK_MS: '0' }).stalledCheckMs).toBe(
      undefined,
    );
  });

  it('a SIGKILLed worker’s job runs again within a few stalled checks', async () => {
    const job = await queue.add('hang', { ms: 600_000 });
    child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/recording-worker.ts'], {
      env: { ...process.env, ...serverEnvToVariables(envOf(prefix, 'dead')) },
      stdio: 'ignore',
    });
    await waitFor('the job to be active', async () => (await job.isActive()) || undefined, 30_000);
    // The lock is what keeps the job from other workers: it must live no longer than the check.
    const lockMs = await redis.pttl(`${prefix}:jobs:${job.id}:lock`);
    expect(lockMs).toBeGreaterThan(0);
    expect(lockMs).toBeLessThanOrEqual(stalledCheckMs);

    child.kill('SIGKILL');
    const killedAtMs = Date.now();
    rescuer = await runServerWorker({
      env: envOf(prefix, 'rescuer'),
      exitWhenDrained: false,
      processor: async () => 'rescued',
    });
    // Lock 1 s + check every 1 s: about 2 s. BullMQ's defaults would take over 30 s.
    await waitFor(
      'the job to be completed by the rescuer',
      async () => (await job.isCompleted()) || undefined,
      15_000,
    );
    expect(Date.now() - killedAtMs).toBeLessThan(15_000);
  });
});
