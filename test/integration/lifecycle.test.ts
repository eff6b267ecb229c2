import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetStore } from '../../src/fleet/fleet-store.ts';
import { Autoscaler } from '../../src/index.ts';
import { captureLog } from '../helpers/capture-log.ts';
import { localCluster } from '../helpers/local-cluster.ts';
import { waitFor } from '../helpers/redis.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('server lifecycle deadlines', () => {
  it('a server that never becomes ready is marked hanging, destroyed and replaced', async () => {
    const cluster = localCluster(
      'hang',
      'test/helpers/never-ready-worker.ts',
      { maxServers: 1 },
      {
        createFailureBackoffMs: 500,
        lifecycle: { bootTimeoutMs: 1_500 },
      },
    );
    cleanups.push(() => cluster.cleanup());
    const log = captureLog();
    const scaler = new Autoscaler(cluster.config, { logger: log.logger });
    cleanups.push(() => scaler.close());
    await cluster.queue('alpha').add('job', { ms: 10 });
    await scaler.start();

    await waitFor('a replacement server', async () => log.events('server.requested').length >= 2, 30_000);
    const [first, second] = log.events('server.requested').map((l) => String(l.serverId));
    expect(log.events('server.hanging')[0]).toMatchObject({
      serverId: first,
      reason: expect.stringMatching(/not ready/),
    });
    await waitFor('the hanging server to be destroyed', async () =>
      log.events('server.deleted').some((l) => l.serverId === first),
    );
    expect(second).not.toBe(first);
    // Never more than maxServers capacity at once: the replacement came after the hang.
    const hangAt = Number(log.events('server.hanging')[0]?.time);
    const secondAt = Number(log.events('server.requested')[1]?.time);
    expect(secondAt).toBeGreaterThanOrEqual(hangAt);
  });

  it('a server that ignores its drain is destroyed at the deadline and its job completes elsewhere', async () => {
    const cluster = localCluster(
      'stubborn',
      'test/helpers/stubborn-worker.ts',
      { maxServers: 1, slotsPerServer: 1 },
      {
        lifecycle: { drainTimeoutMs: 1_000, stalledCheckMs: 500 },
      },
    );
    cleanups.push(() => cluster.cleanup());
    const log = captureLog();
    const scaler = new Autoscaler(cluster.config, { logger: log.logger });
    cleanups.push(() => scaler.close());
    const queue = cluster.queue('alpha');
    const job = await queue.add('long', { ms: 4_000 });
    await scaler.start();

    await waitFor('the first server to take the job', async () => (await queue.getActiveCount()) === 1);
    const first = (await scaler.servers())[0];
    if (first === undefined) throw new Error('no server recorded');
    // An operator drains it while its job runs (the `drain` command does the same).
    const redis = new Redis(cluster.url);
    cleanups.push(async () => {
      await redis.quit();
    });
    const store = new FleetStore(redis, { prefix: cluster.prefix, cluster: cluster.prefix });
    expect(
      await store.transition(first.id, 'draining', 'manual drain', Date.now(), {
        drainStartedAtMs: Date.now(),
      }),
    ).toBe(true);
    await store.signalDrain(first.id);

    const done = await waitFor('the job to complete on another server', async () => {
      const state = await queue.getJobState(job.id ?? '');
      return state === 'completed' ? queue.getJob(job.id ?? '') : undefined;
    });
    expect(done?.returnvalue).toMatchObject({
      doneBy: expect.not.stringMatching(new RegExp(`^${first.id}$`)),
    });
    expect(log.events('server.deleting').find((l) => l.serverId === first.id)?.reason).toBe(
      'drain deadline passed',
    );
    expect(await queue.getFailedCount()).toBe(0);
  });
});
