import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { derive, refsIn } from '../fakes/digitalocean-openapi/derive.ts';

type Doc = Parameters<typeof derive>[0];

const vendored = parse(
  readFileSync(new URL('../fakes/digitalocean-openapi/openapi.yaml', import.meta.url), 'utf8'),
) as Doc;

describe("the vendored part of DigitalOcean's OpenAPI document", () => {
  it('has every operation the fake API serves, so Prism checks each of them', () => {
    const served = {
      '/v2/account': ['get'],
      '/v2/droplets': ['get', 'post'],
      '/v2/droplets/{droplet_id}': ['get', 'delete'],
      '/v2/snapshots': ['get'],
      '/v2/snapshots/{snapshot_id}': ['get'],
      '/v2/sizes': ['get'],
    };
    for (const [path, methods] of Object.entries(served)) {
      expect(Object.keys(vendored.paths[path] ?? {}), path).toEqual(expect.arrayContaining(methods));
    }
  });

  it('resolves every $ref inside itself', () => {
    const dangling = refsIn(vendored).filter(([kind, name]) => !vendored.components[kind]?.[name]);
    expect(dangling).toEqual([]);
  });
});

describe('derive', () => {
  const schema = (ref?: string) => (ref ? { $ref: `#/components/schemas/${ref}` } : { type: 'string' });
  const whole = (extra: Record<string, unknown> = {}): Doc =>
    ({
      openapi: '3.0.0',
      tags: [{ name: 'Droplets' }, { name: 'Databases' }],
      'x-tagGroups': [{ name: 'all', tags: ['Droplets', 'Databases'] }],
      paths: {
        '/v2/droplets': {
          get: { tags: ['Droplets'], responses: { 200: { content: { j: { schema: schema('a') } } } } },
        },
        '/v2/databases': {
          get: { tags: ['Databases'], responses: { 200: { content: { j: { schema: schema('d') } } } } },
        },
      },
      components: {
        securitySchemes: { bearer_auth: { type: 'http' } },
        schemas: { a: { properties: { b: schema('b') } }, b: schema(), d: schema(), ...extra },
      },
    }) as unknown as Doc;

  it("keeps the provider's resources and what they reference, transitively, and nothing else", () => {
    const subset = derive(whole());
    expect(Object.keys(subset.paths)).toEqual(['/v2/droplets']);
    expect(Object.keys(subset.components.schemas ?? {}).sort()).toEqual(['a', 'b']);
    expect(subset.components.securitySchemes).toEqual({ bearer_auth: { type: 'http' } });
    expect(subset.tags).toEqual([{ name: 'Droplets' }]);
    expect(subset['x-tagGroups']).toBeUndefined();
  });

  it('refuses a reference it cannot follow', () => {
    const broken = whole({ b: schema('missing') });
    expect(() => derive(broken)).toThrow(/dangling \$ref #\/components\/schemas\/missing/);
  });
});
