import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../providers/digitalocean/clock.ts';
import { ownerTagOf, poolTagOf } from '../../providers/provider.ts';
import type { ScalingEvent } from '../../src/core/events.ts';
import { FencedError, FleetStore } from '../../src/fleet/fleet-store.ts';
import { requestedRecord } from '../../src/fleet/server-record.ts';
import { Provisioner } from '../../src/provisioning/provisioner.ts';
import { FakeDigitalOcean } from '../fakes/digitalocean-api.ts';
import { deletePrefix, redisUrl, uniquePrefix, waitFor } from '../helpers/redis.ts';
import { doConfig, makeProvider, templateFile } from '../providers/digitalocean-harness.ts';

/*
 * Found by the chaos suite (`everything`, seed 812931): a create job slowed by API faults
 * outlived its claim. Between its tries the reconciler adopted the droplet of its first try, the
 * lifecycle gave up on it and destroyed it, and the job's next try, finding no droplet, bought the
 * same server again. A create now asks the records right before buying.
 */
let redis: Redis;
let bullRedis: Redis;
let fake: FakeDigitalOcean;
let template: Awaited<ReturnType<typeof templateFile>>;
const prefix = uniquePrefix('claims');
const cluster = prefix;

beforeAll(async () => {
  redis = new Redis(redisUrl());
  bullRedis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  fake = await new FakeDigitalOcean({ dropletLimit: 10 }).start();
  template = await templateFile();
});

afterAll(async () => {
  await deletePrefix(redisUrl(), prefix);
  await redis.quit();
  await bullRedis.quit();
  await fake.close();
  await template.remove();
});

const requested = (id: string, nowMs: number) =>
  requestedRecord({ id, name: `${cluster}-${id}`, pool: 'main', nowMs, reason: 'scale up' });

describe('a create job that outlives its claim', () => {
  it('does not buy again a server the fleet adopted and gave up on between its tries', async () => {
    const store = new FleetStore(redis, { prefix, cluster });
    const id = 'main-1';
    // What the reconciler and the lifecycle did while the job backed off after its first try.
    const meanwhile = async () => {
      const droplet = [...fake.droplets.values()].find((d) => d.name === `${cluster}-${id}`);
      if (droplet === undefined) throw new Error('the first try should have created the droplet');
      const now = Date.now();
      await store.transition(id, 'booting', 'found at the provider', now, { providerId: droplet.id });
      await store.transition(id, 'hanging', 'not ready', now);
      await store.transition(id, 'deleting', 'replacing hanging server', now);
      fake.droplets.delete(droplet.id);
      await store.transition(id, 'deleted', 'destroyed', now);
      await store.close(id);
    };
    let sleeps = 0;
    const clock: Clock = {
      now: () => Date.now(),
      random: () => 0.5,
      sleep: async () => {
        if (sleeps++ === 0) await meanwhile();
      },
    };
    const events: ScalingEvent[] = [];
    const provisioner = new Provisioner({
      redis: bullRedis,
      store,
      provider: makeProvider(cluster, doConfig(fake.url, template.path), fake.token, clock),
      prefix,
      cluster,
      specOf: (r) => ({
        serverId: r.id,
        name: r.name,
        pool: r.pool,
        type: 'default',
        tags: [ownerTagOf(cluster), poolTagOf(r.pool)],
        env: { SERVER_ID: r.id, POOL: r.pool, REDIS_URL: redisUrl() },
      }),
      createFailureBackoffMs: 1_000,
      retryBaseMs: 1_000,
      circuitBreakerFailures: 5,
      emit: (e) => events.push(e),
      now: () => Date.now(),
    });
    try {
      await store.add([requested(id, Date.now())]);
      // The first try creates the droplet, but its answer is lost.
      fake.inject({ method: 'POST', path: '/v2/droplets', status: 504, afterWork: true });
      provisioner.startWorker();
      await provisioner.requestCreate('main', [id]);
      const job = await waitFor('the create job to finish', async () => {
        const state = await provisioner.queue.getJobState(`create-${id}`);
        return state === 'completed' || state === 'failed' ? state : undefined;
      });
      expect(job, JSON.stringify(events)).toBe('completed');
      expect(sleeps).toBeGreaterThan(0);
      expect(fake.requestsTo('POST', '/v2/droplets')).toHaveLength(1);
      expect([...fake.droplets.values()].filter((d) => d.name === `${cluster}-${id}`)).toEqual([]);
      expect(events.filter((e) => e.event === 'server.created')).toEqual([]);
    } finally {
      await provisioner.close();
    }
  });
});

describe('a destroy job retried after the scaler died mid-destroy', () => {
  it('closes a record already marked deleted but left in the live set', async () => {
    const c = `${cluster}-closed`;
    const store = new FleetStore(redis, { prefix, cluster: c });
    const id = 'main-1';
    const now = Date.now();
    await store.add([requested(id, now)]);
    await store.transition(id, 'creating', 'create call', now);
    await store.transition(id, 'booting', 'created', now);
    // The first try destroyed the droplet and marked the record; the process died before close().
    await store.transition(id, 'deleting', 'scale down', now);
    await store.transition(id, 'deleted', 'destroyed', now);
    expect((await store.list()).map((r) => r.id)).toEqual([id]);
    const provisioner = new Provisioner({
      redis: bullRedis,
      store,
      provider: makeProvider(c, doConfig(fake.url, template.path), fake.token),
      prefix,
      cluster: c,
      specOf: () => {
        throw new Error('no create expected');
      },
      createFailureBackoffMs: 1_000,
      retryBaseMs: 1_000,
      circuitBreakerFailures: 5,
      emit: () => {},
      now: () => Date.now(),
    });
    try {
      provisioner.startWorker();
      await provisioner.requestDestroy(id);
      await waitFor('the record to leave the live set', async () =>
        (await store.list()).length === 0 ? true : undefined,
      );
      expect(fake.requestsTo('DELETE', /^\/v2\/droplets/)).toEqual([]);
    } finally {
      await provisioner.close();
    }
  });
});

describe('FleetStore.creatableBy', () => {
  it('allows only records still creating under the job, and fences while another scaler leads', async () => {
    const store = new FleetStore(redis, { prefix, cluster: `${cluster}-fence` });
    const now = Date.now();
    await store.add([requested('main-1', now), requested('main-2', now), requested('main-3', now)]);
    await store.transition('main-1', 'creating', 'create call', now, { createJobId: 'create-main-1' });
    await store.transition('main-2', 'creating', 'create call', now, { createJobId: 'create-other' });
    const ids = ['main-1', 'main-2', 'main-3', 'main-404'];
    store.setFence('7:this-scaler');
    // A lease that lapsed with nobody taking it does not stop a create.
    expect(await store.creatableBy('create-main-1', ids)).toEqual(new Set(['main-1']));
    await redis.set(store.keys.lease, '7:this-scaler');
    expect(await store.creatableBy('create-main-1', ids)).toEqual(new Set(['main-1']));
    // Another leader: the job fails (and is retried under the leader) rather than buy nothing.
    await redis.set(store.keys.lease, '8:another-scaler');
    await expect(store.creatableBy('create-main-1', ids)).rejects.toBeInstanceOf(FencedError);
  });
});
