import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDigitalOceanDoctor } from '../../providers/digitalocean/index.ts';
import { ownerTagOf, ProviderError } from '../../providers/provider.ts';
import { FakeDigitalOcean } from '../fakes/digitalocean-api.ts';
import type { FakeDroplet } from '../fakes/digitalocean-models.ts';
import { type Prism, startPrism } from '../fakes/prism.ts';
import { runProviderContract } from './contract.ts';
import { doConfig, makeProvider, specs, templateFile } from './digitalocean-harness.ts';

describe('validated by Prism', () => {
  /*
   * Every request of this file goes through Prism validating against DigitalOcean's OpenAPI
   * document: our requests and the fake's answers must both conform.
   */
  let fake: FakeDigitalOcean;
  let prism: Prism;
  let template: Awaited<ReturnType<typeof templateFile>>;
  let untagged: FakeDroplet;

  beforeAll(async () => {
    fake = await new FakeDigitalOcean({ dropletLimit: 40 }).start();
    untagged = fake.seed('someone-elses-db');
    [prism, template] = await Promise.all([startPrism(fake.url), templateFile()]);
  });

  afterAll(async () => {
    await prism?.stop();
    await fake?.close();
    await template?.remove();
  });

  /** Every optional create field set, so Prism checks how each goes on the wire. */
  const fullOptions = {
    sshKeys: [512190, '3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa'],
    vpcUuid: '760e09ef-dc84-11e8-981e-3cfdfeaae000',
    monitoring: true,
  };

  runProviderContract('digitalocean (fake API behind Prism)', async () => ({
    provider: makeProvider(
      'contract',
      doConfig(prism.url, template.path, { ...fullOptions, serverTypes: { big: { size: 's-2vcpu-4gb' } } }),
      fake.token,
    ),
    cluster: 'contract',
    secondType: 'big',
    cleanup: async () => {},
  }));

  describe('digitalocean traffic through Prism', () => {
    it('doctor passes every check', async () => {
      const config = doConfig(prism.url, template.path);
      const checks = await runDigitalOceanDoctor(
        { ...config, cluster: 'contract', maxServers: 10 },
        { DIGITALOCEAN_TOKEN: fake.token },
      );
      expect(checks.filter((c) => !c.ok)).toEqual([]);
      expect(checks.map((c) => c.name)).toEqual([
        'DigitalOcean token',
        'DigitalOcean snapshot',
        'DigitalOcean size',
        'DigitalOcean droplet limit',
        'user_data',
      ]);
    });

    it('doctor resolves a snapshot id, and names one that does not exist (a 404)', async () => {
      const run = (snapshot: number) =>
        runDigitalOceanDoctor(
          { ...doConfig(prism.url, template.path, { snapshot }), cluster: 'contract', maxServers: 1 },
          { DIGITALOCEAN_TOKEN: fake.token },
        );
      const line = async (snapshot: number) =>
        (await run(snapshot)).find((c) => c.name === 'DigitalOcean snapshot');
      expect(await line(1002)).toMatchObject({ ok: true });
      expect(await line(4242)).toMatchObject({
        ok: false,
        detail: expect.stringMatching(/4242 does not exist/),
      });
    });

    it('429 with Retry-After, 500 and 404 answers conform and are handled', async () => {
      const provider = makeProvider('faults', doConfig(prism.url, template.path), fake.token);
      fake.inject({ method: 'GET', path: '/v2/droplets', status: 429, retryAfterSeconds: 1 });
      fake.inject({ method: 'GET', path: '/v2/droplets', status: 500 });
      await expect(provider.list(ownerTagOf('faults'))).resolves.toEqual([]);
      // Right after a 429 this provider's bookkeeping steps aside (spaced starts): a fresh one reads.
      const reader = makeProvider('faults', doConfig(prism.url, template.path), fake.token);
      await expect(reader.get('999999999')).resolves.toBeUndefined();
      await Promise.all([provider.close(), reader.close()]);
    });

    it('the account droplet limit (422) conforms, is not retried, and reports the partial batch', async () => {
      const provider = makeProvider('limit', doConfig(prism.url, template.path), fake.token);
      const posts = fake.requestsTo('POST', '/v2/droplets').length;
      // 40 allowed, 1 foreign droplet: three batches of ten fit, the fourth is refused.
      const error = await provider.create(specs('limit', 45)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      const refused = error as ProviderError;
      expect([refused.status, refused.retryable]).toEqual([422, false]);
      expect(refused.message).toMatch(/droplet limit/);
      expect(refused.created).toHaveLength(30);
      expect(fake.requestsTo('POST', '/v2/droplets').length - posts).toBe(4);
      await Promise.all(refused.created.map((c) => provider.destroy(c.providerId)));
      await provider.close();
    });

    it('Prism saw no request or answer that breaks the OpenAPI document', () => {
      expect(fake.requests.length).toBeGreaterThan(20);
      expect(prism.violations()).toEqual([]);
    });

    it('the droplet without our ownership tag was never touched', () => {
      const touching = fake.requests.filter((r) => r.path.startsWith(`/v2/droplets/${untagged.id}`));
      expect(touching.filter((r) => r.method !== 'GET')).toEqual([]);
      expect(fake.droplets.has(untagged.id)).toBe(true);
    });
  });
});
