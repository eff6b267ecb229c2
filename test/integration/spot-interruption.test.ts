import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { Autoscaler } from '../../src/index.ts';
import { FakeImds } from '../fakes/imds.ts';
import { captureLog } from '../helpers/capture-log.ts';
import { localCluster } from '../helpers/local-cluster.ts';
import { waitFor } from '../helpers/redis.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('spot interruption notices', () => {
  it('a notice mid-job drains the server, the job completes, and a replacement is requested at once', async () => {
    const imds = await new FakeImds().start();
    cleanups.push(() => imds.close());
    // The local provider's servers inherit this process's environment, as user_data sets it on EC2.
    process.env.AUTOSCALER_IMDS_WATCH = '1';
    process.env.AUTOSCALER_IMDS_ENDPOINT = imds.url;
    process.env.AUTOSCALER_IMDS_POLL_MS = '200';
    cleanups.push(async () => {
      delete process.env.AUTOSCALER_IMDS_WATCH;
      delete process.env.AUTOSCALER_IMDS_ENDPOINT;
      delete process.env.AUTOSCALER_IMDS_POLL_MS;
    });
    const cluster = localCluster('spot', 'test/helpers/recording-worker.ts', {
      minServers: 1,
      maxServers: 2,
      slotsPerServer: 1,
    });
    cleanups.push(() => cluster.cleanup());
    const log = captureLog();
    const scaler = new Autoscaler(cluster.config, { logger: log.logger });
    cleanups.push(() => scaler.close());
    const queue = cluster.queue('alpha');
    await scaler.start();
    const job = await queue.add('long', { ms: 3_000 });
    await waitFor('the job to be running', async () => (await queue.getActiveCount()) === 1, 30_000);
    // Every server requested so far is hit (the scaler may have started a second one for the
    // waiting job): wait until each worker has a metadata session, so each sees the notice.
    const hit = new Set(log.events('server.requested').map((l) => String(l.serverId)));
    const sessions = () => imds.requests.filter((r) => r.method === 'PUT').length;
    await waitFor('every worker to have a metadata session', async () => sessions() >= hit.size);

    imds.interrupt();
    await waitFor('the scaler to drain every interrupted server', async () =>
      [...hit].every((id) =>
        log.events('server.draining').some((l) => l.serverId === id && l.reason === 'spot notice'),
      ),
    );
    // Requested while an interrupted server still finishes its job: not after it is gone.
    await waitFor('a replacement to be requested', async () =>
      log.events('server.requested').some((l) => !hit.has(String(l.serverId))),
    );
    expect(await job.getState()).toBe('active');
    await waitFor('the job to complete', async () => (await job.getState()) === 'completed', 30_000);
    await waitFor('the interrupted servers to be deleted', async () =>
      [...hit].every((id) => log.events('server.deleted').some((l) => l.serverId === id)),
    );
    const redis = new Redis(cluster.url);
    cleanups.push(async () => void (await redis.quit()));
    const runs = await redis.hgetall(`${cluster.prefix}:test:runs`);
    expect(runs).toEqual({ [`alpha:${job.id}`]: '1' });
    const spans = (await redis.lrange(`${cluster.prefix}:test:spans`, 0, -1)).map(
      (s) => JSON.parse(s) as { server: string },
    );
    expect(spans).toHaveLength(1);
    expect(hit.has(spans[0]?.server ?? '')).toBe(true);
  });
});
