import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planCreateGroups } from '../../providers/digitalocean/batches.ts';
import { digitaloceanProviderSchema, resolveSettings } from '../../providers/digitalocean/config.ts';
import type { ServerSpec } from '../../providers/provider.ts';

const minimal = {
  type: 'digitalocean',
  region: 'fra1',
  size: 's-1vcpu-1gb',
  snapshot: 'worker-base',
  userDataFile: 'user-data.sh',
} as const;

describe('digitalocean config', () => {
  it('fills defaults that stay under DigitalOcean’s limits', () => {
    expect(digitaloceanProviderSchema.parse(minimal)).toMatchObject({
      tokenEnv: 'DIGITALOCEAN_TOKEN',
      requestsPerMinute: 200,
      requestsPerHour: 4_500,
      createMaxAttempts: 4,
      monitoring: false,
      tags: [],
    });
    expect(digitaloceanProviderSchema.safeParse({ ...minimal, requestsPerMinute: 300 }).success).toBe(false);
  });

  it('reads the token from the named variable and the URL from config, then env', () => {
    const config = digitaloceanProviderSchema.parse({ ...minimal, tokenEnv: 'JOBS_DO_TOKEN' });
    const env = { JOBS_DO_TOKEN: ' tok ', DIGITALOCEAN_API_URL: 'http://127.0.0.1:9' };
    expect(resolveSettings(config, env)).toEqual({ token: 'tok', apiUrl: 'http://127.0.0.1:9' });
    expect(resolveSettings({ ...config, apiUrl: 'http://proxy:1' }, env).apiUrl).toBe('http://proxy:1');
    expect(resolveSettings(config, { JOBS_DO_TOKEN: 't' }).apiUrl).toBe('https://api.digitalocean.com');
  });

  it('refuses an API URL from the environment that ends in /v2, naming it without credentials', () => {
    const config = digitaloceanProviderSchema.parse(minimal);
    const env = { DIGITALOCEAN_TOKEN: 't', DIGITALOCEAN_API_URL: 'https://user:pw@proxy.example/v2/' };
    expect(() => resolveSettings(config, env)).toThrow(
      'DigitalOcean API URL https://proxy.example/v2/ (from DIGITALOCEAN_API_URL): give the API base without /v2',
    );
  });

  it('a missing token names the variable to set', () => {
    const config = digitaloceanProviderSchema.parse(minimal);
    expect(() => resolveSettings(config, {})).toThrow(/set the environment variable DIGITALOCEAN_TOKEN/);
  });
});

describe('digitalocean create batching', () => {
  const spec = (i: number, pool: string): ServerSpec => ({
    serverId: `s${i}`,
    name: `n${i}`,
    pool,
    type: 'default',
    tags: ['owner', pool],
    env: {},
  });

  it('cuts identical bodies into batches of maxBatch and keeps different bodies apart', () => {
    const specs = [...Array.from({ length: 12 }, (_, i) => spec(i, 'a')), spec(12, 'b'), spec(13, 'a')];
    const groups = planCreateGroups(specs, 10, (s) => ({ userData: `pool ${s.pool}`, tags: s.tags }));
    expect(groups.map((g) => [g.userData, g.specs.length])).toEqual([
      ['pool a', 10],
      ['pool a', 3],
      ['pool b', 1],
    ]);
  });
});

describe('digitalocean lazy loading', () => {
  it('only dots-sdk.js imports dots, and no module imports dots-sdk.js by a literal specifier', () => {
    // A literal import would load dots (and, in dist/, its 1.7 MB bundle) with the provider module.
    const dir = new URL('../../providers/digitalocean/', import.meta.url);
    const importers = readdirSync(dir).filter((file) =>
      /(from|import\()\s*'(@digitalocean\/dots|\.\/dots-sdk\.js)'/.test(
        readFileSync(new URL(file, dir), 'utf8'),
      ),
    );
    expect(importers).toEqual(['dots-sdk.js']);
  });
});
