import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDigitalOceanProvider } from '../../providers/digitalocean/index.ts';
import { ownerTagOf, ProviderError } from '../../providers/provider.ts';
import { FakeDigitalOcean } from '../fakes/digitalocean-api.ts';
import type { FakeDroplet } from '../fakes/digitalocean-models.ts';
import { captureLog } from '../helpers/capture-log.ts';
import { doConfig, makeProvider, specs, templateFile, virtualClock } from './digitalocean-harness.ts';

/*
 * Failure scenarios straight against the fake (no Prism: some faults, like an HTML 502 from a
 * proxy, break the OpenAPI document on purpose). Waits run on a virtual clock; HTTP is real.
 */
let fake: FakeDigitalOcean;
let template: Awaited<ReturnType<typeof templateFile>>;
let untagged: FakeDroplet;
const posts = () => fake.requestsTo('POST', '/v2/droplets').length;

beforeAll(async () => {
  fake = await new FakeDigitalOcean({
    dropletLimit: 500,
    neverActive: (name) => name.includes('stuck'),
  }).start();
  untagged = fake.seed('someone-elses-db', ['production']);
  template = await templateFile();
});

afterEach(() => {
  fake.clearFaults();
  for (const droplet of [...fake.droplets.values()]) {
    if (droplet.id !== untagged.id) fake.droplets.delete(droplet.id);
  }
});

afterAll(async () => {
  // A droplet without our ownership tag survives every test: no DELETE, no action, still there.
  const touching = fake.requests.filter((r) => r.path.startsWith(`/v2/droplets/${untagged.id}`));
  expect(touching.filter((r) => r.method !== 'GET')).toEqual([]);
  expect(fake.droplets.has(untagged.id)).toBe(true);
  await fake?.close();
  await template?.remove();
});

const provider = (cluster: string, overrides: Parameters<typeof doConfig>[2] = {}, clock = virtualClock()) =>
  makeProvider(cluster, doConfig(fake.url, template.path, overrides), fake.token, clock);

describe('digitalocean create', () => {
  it('creates 25 servers requested at once in 3 requests of at most 10', async () => {
    const before = posts();
    const created = await provider('batch').create(specs('batch', 25));
    expect(created).toHaveLength(25);
    const sent = fake.requestsTo('POST', '/v2/droplets').slice(before);
    expect(sent.map((r) => (r.body as { names: string[] }).names.length)).toEqual([10, 10, 5]);
    const body = sent[0]?.body as Record<string, unknown>;
    expect(body.tags).toEqual([ownerTagOf('batch'), 'bullmq-autoscaler-pool-web', 'team-jobs']);
    expect(body).toMatchObject({ image: 1002, region: 'nyc3', size: 's-1vcpu-1gb', monitoring: false });
    expect(body.user_data).toContain(`EXTRA='it'\\''s fine'`);
  });

  it('sends one request per server when user_data carries per-server values', async () => {
    const perServer = await templateFile('#!/bin/sh\nexport SERVER_ID={{SERVER_ID}} POOL={{POOL}}\n');
    const before = posts();
    await makeProvider('solo', doConfig(fake.url, perServer.path), fake.token).create(specs('solo', 3));
    expect(posts() - before).toBe(3);
    await perServer.remove();
  });

  it('a 504 after creating is retried only after finding the droplets: no duplicates', async () => {
    fake.inject({ method: 'POST', path: '/v2/droplets', status: 504, afterWork: true });
    const before = posts();
    const created = await provider('gw').create(specs('gw', 3));
    expect(posts() - before).toBe(1);
    const names = [...fake.droplets.values()].map((d) => d.name).filter((n) => n.startsWith('gw-'));
    expect(names.sort()).toEqual(['gw-web-web0', 'gw-web-web1', 'gw-web-web2']);
    expect(created.map((c) => Number(c.providerId)).every((id) => fake.droplets.has(id))).toBe(true);
  });

  it('a repeated create (the caller never saw the answer) adopts the droplets instead of duplicating', async () => {
    const p = provider('again');
    const first = await p.create(specs('again', 3));
    const before = posts();
    expect(await p.create(specs('again', 3))).toEqual(first);
    expect(posts()).toBe(before);
    expect([...fake.droplets.values()].filter((d) => d.name.startsWith('again-'))).toHaveLength(3);
  });

  it('a create that times out after the droplet was made does not make another', async () => {
    fake.inject({ method: 'POST', path: '/v2/droplets', afterWork: true, delayMs: 300 });
    const before = posts();
    await provider('slow', { requestTimeoutMs: 100 }).create(specs('slow', 2));
    expect(posts() - before).toBe(1);
    expect([...fake.droplets.values()].filter((d) => d.name.startsWith('slow-'))).toHaveLength(2);
  });

  it('a create that fails for ever is tried a bounded number of times, with growing backoff', async () => {
    fake.inject({ method: 'POST', path: '/v2/droplets', status: 500, times: 1_000 });
    const clock = virtualClock();
    const before = posts();
    const error = await provider('broke', { createMaxAttempts: 4 }, clock)
      .create(specs('broke', 2))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).retryable).toBe(true);
    expect(posts() - before).toBe(4);
    expect(clock.sleeps).toEqual([500, 1_000, 2_000]);
  });

  it('a proxy’s HTML 502 keeps its status and is retried', async () => {
    fake.inject({ method: 'GET', path: /^\/v2\/droplets\/\d+$/, status: 502, html: true });
    const [created] = await provider('html').create(specs('html', 1));
    const got = await provider('html').get(created?.providerId ?? '');
    expect(got?.name).toBe('html-web-web0');
  });

  it('refuses a spec whose first tag is not the ownership tag, before any request', async () => {
    const [spec] = specs('mine', 1);
    if (!spec) throw new Error('no spec');
    const before = fake.requests.length;
    await expect(provider('mine').create([{ ...spec, tags: ['other'] }])).rejects.toThrow(/ownership tag/);
    expect(fake.requests.length).toBe(before);
  });
});

describe('digitalocean budget', () => {
  it('waits at least Retry-After before each retry of a rate-limited call', async () => {
    fake.inject({ method: 'GET', path: '/v2/droplets/424242', status: 429, retryAfterSeconds: 2, times: 2 });
    const clock = virtualClock();
    const before = fake.requestsTo('GET', '/v2/droplets/424242').length;
    const start = clock.now();
    await provider('patient', {}, clock).destroy('424242');
    expect(fake.requestsTo('GET', '/v2/droplets/424242').length - before).toBe(3);
    expect(clock.now() - start).toBeGreaterThanOrEqual(4_000);
  });

  it('a 429 storm on concurrent calls pauses them all and does not multiply requests', async () => {
    fake.inject({ method: 'GET', path: '/v2/droplets/434343', status: 429, retryAfterSeconds: 2, times: 5 });
    const clock = virtualClock();
    const p = provider('storm', {}, clock);
    const before = fake.requestsTo('GET', '/v2/droplets/434343').length;
    const start = clock.now();
    await Promise.all(Array.from({ length: 5 }, () => p.destroy('434343')));
    expect(fake.requestsTo('GET', '/v2/droplets/434343').length - before).toBe(10);
    expect(clock.now() - start).toBeGreaterThanOrEqual(2_000);
  });

  it('stays inside requestsPerMinute', async () => {
    const clock = virtualClock();
    const p = provider('budget', { requestsPerMinute: 5 }, clock);
    const start = clock.now();
    for (let i = 0; i < 12; i++) await p.destroy('999999');
    // 12 requests at 5 a minute need two full minutes of waiting.
    expect(clock.now() - start).toBeGreaterThanOrEqual(120_000);
  });
});

describe('digitalocean ownership', () => {
  it('get of a droplet without our tag is undefined; destroy refuses it without a DELETE', async () => {
    const p = provider('owner');
    expect(await p.get(String(untagged.id))).toBeUndefined();
    await expect(p.destroy(String(untagged.id))).rejects.toThrow(/does not carry the ownership tag/);
    expect(fake.requestsTo('DELETE', `/v2/droplets/${untagged.id}`)).toEqual([]);
  });

  it('list asks by the ownership tag, across pages, and refuses any other tag', async () => {
    const p = provider('pages');
    await p.create(specs('pages', 205));
    const before = fake.requestsTo('GET', '/v2/droplets').length;
    const listed = await p.list(ownerTagOf('pages'));
    expect(listed).toHaveLength(205);
    const asked = fake.requestsTo('GET', '/v2/droplets').slice(before);
    expect(asked.map((r) => [r.query.get('tag_name'), r.query.get('per_page'), r.query.get('page')])).toEqual(
      [
        [ownerTagOf('pages'), '200', '1'],
        [ownerTagOf('pages'), '200', '2'],
      ],
    );
    await expect(p.list('production')).rejects.toThrow(/refusing to list/);
  });

  it('a droplet DigitalOcean showed with our tag in the last minute is destroyed without reading it again', async () => {
    const clock = virtualClock();
    const p = provider('proof', {}, clock);
    const [fresh, stale] = await p.create(specs('proof', 2));
    const reads = () =>
      fake.requests.filter((r) => r.method === 'GET' && /^\/v2\/droplets\/\d+$/.test(r.path)).length;
    const before = reads();
    await p.destroy(fresh?.providerId ?? '');
    expect(reads()).toBe(before);
    // A minute later the create reply proves nothing: someone may have removed our tag by hand.
    const droplet = fake.droplets.get(Number(stale?.providerId));
    if (!droplet) throw new Error('no droplet');
    droplet.tags = ['production'];
    await clock.sleep(61_000);
    await expect(p.destroy(stale?.providerId ?? '')).rejects.toThrow(/does not carry the ownership tag/);
    expect(reads()).toBe(before + 1);
    expect(fake.droplets.has(droplet.id)).toBe(true);
  });

  it('destroying a droplet that is already gone succeeds', async () => {
    const p = provider('gone');
    const [created] = await p.create(specs('gone', 1));
    fake.droplets.delete(Number(created?.providerId));
    await expect(p.destroy(created?.providerId ?? '')).resolves.toBeUndefined();
  });

  it('a droplet that never boots stays `new`', async () => {
    const p = provider('stuck');
    const [created] = await p.create(specs('stuck', 1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await p.get(created?.providerId ?? ''))?.status).toBe('new');
  });
});

describe('digitalocean errors', () => {
  it('a rejected token names the variable to fix and never shows the token', async () => {
    const p = makeProvider('tok', doConfig(fake.url, template.path), 'wrong-token-value');
    const error = await p.list(ownerTagOf('tok')).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(String((error as Error).message)).toMatch(/tokenEnv/);
    expect(String((error as Error).message)).not.toContain('wrong-token-value');
  });

  it('an unreachable API is a retryable error without a status', async () => {
    const closed = await new FakeDigitalOcean().start();
    await closed.close();
    const p = makeProvider('down', doConfig(closed.url, template.path), 'x');
    const error = await p.get('1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: undefined, retryable: true });
    // The URL tried and what to check, not just "TypeError: fetch failed".
    expect((error as Error).message).toMatch(
      /^DigitalOcean GET http:\/\/127\.0\.0\.1:\d+\/v2\/droplets\/1: no answer \(ECONNREFUSED\): check provider\.apiUrl/,
    );
  });

  it('a refused create shows DigitalOcean’s own reason first, and no guess about droplet limits', async () => {
    const reason = 'You specified an invalid image for Droplet creation.';
    fake.inject({ method: 'POST', path: '/v2/droplets', status: 422, message: reason });
    const error = await provider('refused')
      .create(specs('refused', 1))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 422, retryable: false });
    const message = (error as Error).message;
    expect(message).toMatch(
      /^DigitalOcean create droplets failed with 422: unprocessable_entity: You specified an invalid image for Droplet creation\. \(for a create: run `bullmq-autoscaler doctor`/,
    );
    expect(message).not.toMatch(/often the account droplet limit/);
  });

  it('logs each retried create and destroy at warn, with its attempt count', async () => {
    const { logger, events } = captureLog();
    const config = doConfig(fake.url, template.path, { createMaxAttempts: 4 });
    const p = createDigitalOceanProvider(
      { ...config, cluster: 'noisy', log: logger },
      { DIGITALOCEAN_TOKEN: fake.token },
      virtualClock(),
    );
    fake.inject({ method: 'POST', path: '/v2/droplets', status: 500, times: 2 });
    const [created] = await p.create(specs('noisy', 1));
    fake.inject({ method: 'DELETE', path: /^\/v2\/droplets\/\d+$/, status: 503 });
    await p.destroy(created?.providerId ?? '');
    const retries = events('provider.retry');
    expect(retries.map((l) => [l.level, l.operation, l.attempt, l.maxAttempts, l.status])).toEqual([
      [40, 'create', 1, 4, 500],
      [40, 'create', 2, 4, 500],
      [40, 'destroy', 1, 3, 503],
    ]);
    expect(retries[0]).toMatchObject({ provider: 'digitalocean', names: ['noisy-web-web0'] });
    expect(retries[2]).toMatchObject({ providerId: created?.providerId });
    expect(retries[0]?.msg).toMatch(
      /^create of 1 droplet\(s\) failed \(attempt 1 of 4\), retrying in \d+ ms/,
    );
  });

  it('exposes hourly prices from the size list, fetched once', async () => {
    const p = provider('price');
    const before = fake.requestsTo('GET', '/v2/sizes').length;
    expect(await p.hourlyPrice('s-2vcpu-4gb')).toBe(0.03571);
    expect(await p.hourlyPrice('no-such-size')).toBeUndefined();
    expect(fake.requestsTo('GET', '/v2/sizes').length - before).toBe(1);
  });
});
