import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../providers/digitalocean/clock.ts';
import { createDigitalOceanProvider } from '../../providers/digitalocean/index.ts';
import { ProviderError } from '../../providers/provider.ts';
import { scalerKeys } from '../../src/base/redis-keys.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { ScalingEvent } from '../../src/core/events.ts';
import { FleetStore } from '../../src/fleet/fleet-store.ts';
import { type ReconcileContext, reconcile } from '../../src/reconciler/reconcile.ts';
import { createProvider } from '../../src/scaler/provider-factory.ts';
import { RedisRequestWindows } from '../../src/scaler/request-windows.ts';
import { FakeDigitalOcean } from '../fakes/digitalocean-api.ts';
import { deletePrefix, redisUrl, uniquePrefix } from '../helpers/redis.ts';
import { doConfig, templateFile } from '../providers/digitalocean-harness.ts';

/*
 * The DigitalOcean API budget lives in Redis under the cluster's keys: a scaler restarted after a
 * crash (or a second scaler) spends from the same windows as the one before it.
 */
let redis: Redis;
let prefix: string;
let fake: FakeDigitalOcean;
let template: Awaited<ReturnType<typeof templateFile>>;

beforeAll(async () => {
  redis = new Redis(redisUrl());
  prefix = uniquePrefix('budget');
  fake = await new FakeDigitalOcean({ dropletLimit: 10 }).start();
  template = await templateFile();
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await deletePrefix(redisUrl(), prefix);
  await redis.quit();
  await fake.close();
  await template.remove();
});

const windowsKey = (cluster: string) => scalerKeys({ prefix, cluster }).apiRequests('digitalocean');
const budgetKey = (cluster: string) => scalerKeys({ prefix, cluster }).apiBudget('digitalocean');
const windowsOf = (cluster: string, client: Redis = redis) =>
  new RedisRequestWindows(client, windowsKey(cluster), budgetKey(cluster));
const waitOf = async (start: Promise<{ waitMs: number }>) => (await start).waitMs;

describe('request windows in Redis', () => {
  it('share one per-minute budget between processes and count nothing they refuse', async () => {
    const key = windowsKey('minute');
    const first = windowsOf('minute');
    const second = windowsOf('minute');
    const limits = { perMinute: 3, perHour: 100 };
    const started = [
      await waitOf(first.tryStart('a', limits)),
      await waitOf(first.tryStart('b', limits)),
      await waitOf(second.tryStart('c', limits)),
    ];
    expect(started).toEqual([0, 0, 0]);
    const waitMs = await waitOf(second.tryStart('d', limits));
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs).toBeLessThanOrEqual(60_001);
    expect(await redis.zrange(key, '0', '-1')).toEqual(['a', 'b', 'c']);
    expect(await redis.pttl(key)).toBeGreaterThan(3_500_000);
  });

  it('hold the per-hour budget after the minute has room again', async () => {
    const key = windowsKey('hour');
    const windows = windowsOf('hour');
    const limits = { perMinute: 100, perHour: 2 };
    await windows.tryStart('a', limits);
    await windows.tryStart('b', limits);
    await moveBack(key, 30 * 60_000);
    const waitMs = await waitOf(windows.tryStart('c', limits));
    expect(waitMs).toBeGreaterThan(29 * 60_000);
    expect(waitMs).toBeLessThanOrEqual(30 * 60_000 + 1_000);
  });

  it('count a request at its end, the latest it can have reached the API', async () => {
    const key = windowsKey('end');
    const windows = windowsOf('end');
    const limits = { perMinute: 1, perHour: 100 };
    await windows.tryStart('slow', limits);
    // Started 59.5 s ago: by its start it would leave the window in half a second...
    await moveBack(key, 59_500);
    expect(await waitOf(windows.tryStart('probe', limits))).toBeLessThanOrEqual(501);
    // ...but it has only now been answered, so it may have reached the API just now.
    await windows.end('slow');
    expect(await waitOf(windows.tryStart('next', limits))).toBeGreaterThan(59_000);
    // Ending a request the windows never counted adds nothing.
    await windows.end('never-counted');
    expect(await redis.zrange(key, '0', '-1')).toEqual(['slow']);
  });

  it('share the budget cut by a 429 between processes, once per round of requests, and grow it back', async () => {
    const first = windowsOf('aimd');
    const second = windowsOf('aimd');
    const limits = { perMinute: 200, perHour: 5_000 };
    for (let i = 0; i < 60; i++) expect(await waitOf(first.tryStart(`r${i}`, limits))).toBe(0);
    // The 429 comes back a round trip later: requests made in the cut's millisecond count after it.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await first.throttled('r59', limits);
    // The API took 60 in the last minute: the whole cluster now spends 30 a minute, counted from
    // the cut (the Retry-After pause paid for the 60 before it).
    for (let i = 0; i < 30; i++) {
      expect(await (i % 2 ? first : second).tryStart(`s${i}`, limits)).toEqual({ waitMs: 0, perMinute: 30 });
    }
    expect(await waitOf(second.tryStart('s30', limits))).toBeGreaterThan(50_000);
    // r58 was sent before the cut: its 429 says nothing new.
    await second.throttled('r58', limits);
    expect((await second.tryStart('s31', limits)).perMinute).toBe(30);
    // A minute later it has grown by a twentieth of 200.
    const key = budgetKey('aimd');
    await redis.hset(key, 'atMs', String(Number(await redis.hget(key, 'atMs')) - 60_000));
    expect((await first.tryStart('s32', limits)).perMinute).toBe(40);
    expect(await redis.pttl(key)).toBeGreaterThan(3_500_000);
  });

  it('refuse to start a request when Redis cannot count it', async () => {
    const away = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    away.on('error', () => {});
    const windows = windowsOf('away', away);
    const refused = await windows
      .tryStart('a', { perMinute: 5, perHour: 5 })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProviderError);
    expect(refused).toMatchObject({ retryable: true });
    await expect(windows.end('a')).resolves.toBeUndefined();
    await expect(windows.throttled('a', { perMinute: 5, perHour: 5 })).resolves.toBeUndefined();
    away.disconnect();
  });
});

/** Moves every counted request `ms` into the past. */
async function moveBack(key: string, ms: number): Promise<void> {
  for (const [member, score] of pairs(await redis.zrange(key, '0', '-1', 'WITHSCORES'))) {
    await redis.zadd(key, String(Number(score) - ms), member);
  }
}

function pairs(flat: string[]): [string, string][] {
  const result: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) result.push([flat[i] ?? '', flat[i + 1] ?? '']);
  return result;
}

/** A scaler config on the fake API with the given per-minute budget. */
function scalerConfig(cluster: string, requestsPerMinute: number) {
  vi.stubEnv('DIGITALOCEAN_TOKEN', fake.token);
  return parseConfig(
    {
      cluster,
      redis: { url: redisUrl(), bullmqPrefix: prefix },
      provider: doConfig(fake.url, template.path, { requestsPerMinute }),
      pools: [{ name: 'main', queues: ['jobs'] }],
    },
    {},
  );
}

describe('a restarted scaler', () => {
  it('does not get a fresh DigitalOcean budget on top of its predecessor’s requests', async () => {
    const cluster = 'restart';
    const config = scalerConfig(cluster, 3);
    // The first scaler's provider, wired as `start` wires it, spends the minute's budget.
    const predecessor = await createProvider(config, redis);
    // A destroy of a droplet already gone is one request (a GET answered 404).
    for (let i = 0; i < 3; i++) await predecessor.destroy('424242');
    const spent = fake.requests.length;

    // Its successor starts with the same windows; any wait it would make is reported, not slept.
    const waits: number[] = [];
    const noSleeping: Clock = {
      now: () => Date.now(),
      random: () => 0.5,
      sleep: async (ms) => {
        waits.push(ms);
        throw new Error(`would wait ${ms} ms`);
      },
    };
    if (config.provider.type !== 'digitalocean') throw new Error('expected the digitalocean provider');
    const successor = createDigitalOceanProvider(
      { ...config.provider, cluster, windows: windowsOf(cluster) },
      process.env,
      noSleeping,
    );
    await expect(successor.destroy('424242')).rejects.toThrow(/would wait/);
    expect(fake.requests.length).toBe(spent);
    expect(waits[0]).toBeGreaterThan(50_000);
  });
});

describe('bookkeeping under a busy budget', () => {
  it('defers the reconciler rather than waiting, and leaves the rest of the budget to destroys', async () => {
    const cluster = 'busy';
    // Four requests a minute: bookkeeping may take the windows to two.
    const config = scalerConfig(cluster, 4);
    const provider = await createProvider(config, redis);
    const events: ScalingEvent[] = [];
    const ctx: ReconcileContext = {
      config,
      store: new FleetStore(redis, { prefix, cluster }),
      provider,
      emit: (e) => events.push(e),
      orphansSeenAt: new Map(),
      renewLease: async () => true,
      recordCreateFailure: async () => {},
    };
    const lists = () => fake.requestsTo('GET', '/v2/droplets').length;
    const before = lists();
    await reconcile(ctx, [], Date.now());
    await reconcile(ctx, [], Date.now());
    expect(lists() - before).toBe(2);
    expect(events).toEqual([]);
    // The third would take the windows past half: it is deferred at once, not waited for.
    await reconcile(ctx, [], Date.now());
    expect(lists() - before).toBe(2);
    expect(events).toEqual([
      { event: 'reconcile.deferred', reason: expect.stringMatching(/creates and destroys/) },
    ]);
    // A destroy still finds room.
    const gets = fake.requestsTo('GET', '/v2/droplets/424242').length;
    await provider.destroy('424242');
    expect(fake.requestsTo('GET', '/v2/droplets/424242').length).toBe(gets + 1);
  });
});
