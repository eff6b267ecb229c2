import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DoctorCheck, runDigitalOceanDoctor } from '../../providers/digitalocean/index.ts';
import { main } from '../../src/cli/main.ts';
import { FakeDigitalOcean } from '../fakes/digitalocean-api.ts';
import { redisUrl } from '../helpers/redis.ts';
import { type DoConfig, doConfig, templateFile, virtualClock } from './digitalocean-harness.ts';

let fake: FakeDigitalOcean;
let template: Awaited<ReturnType<typeof templateFile>>;

beforeAll(async () => {
  fake = await new FakeDigitalOcean({ dropletLimit: 10 }).start();
  fake.seed('someone-elses-db');
  template = await templateFile();
});

afterAll(async () => {
  await fake?.close();
  await template?.remove();
});

async function doctor(
  overrides: Parameters<typeof doConfig>[2] = {},
  env: NodeJS.ProcessEnv = { DIGITALOCEAN_TOKEN: fake.token },
  maxServers = 5,
): Promise<DoctorCheck[]> {
  const config: DoConfig = doConfig(fake.url, template.path, overrides);
  return runDigitalOceanDoctor({ ...config, cluster: 'doc', maxServers }, env, virtualClock());
}

function failing(checks: DoctorCheck[]): Record<string, string> {
  return Object.fromEntries(checks.filter((c) => !c.ok).map((c) => [c.name, c.detail]));
}

describe('digitalocean doctor', () => {
  it('is all green against a healthy account', async () => {
    expect(failing(await doctor())).toEqual({});
  });

  it('names a snapshot that does not exist', async () => {
    const failed = failing(await doctor({ snapshot: 'no-such-image' }));
    expect(Object.keys(failed)).toEqual(['DigitalOcean snapshot']);
    expect(failed['DigitalOcean snapshot']).toMatch(/"no-such-image" matches no droplet snapshot/);
  });

  it('names a snapshot id that does not exist', async () => {
    const failed = failing(await doctor({ snapshot: 4242 }));
    expect(failed['DigitalOcean snapshot']).toMatch(/4242 does not exist/);
  });

  it('names a snapshot that is not in the region', async () => {
    const failed = failing(await doctor({ snapshot: 'elsewhere' }));
    expect(failed['DigitalOcean snapshot']).toMatch(/not available in region nyc3 \(only in: sgp1\)/);
  });

  it('names a size that does not exist, or is not offered in the region', async () => {
    expect(failing(await doctor({ size: 's-99vcpu' }))).toEqual({
      'DigitalOcean size': expect.stringMatching(/size "s-99vcpu" does not exist/),
    });
    expect(failing(await doctor({ size: 'gpu-h100x1-80gb' }))['DigitalOcean size']).toMatch(
      /not offered in region nyc3/,
    );
  });

  it('names a rejected token without showing it, and skips the checks that need it', async () => {
    const checks = await doctor({}, { DIGITALOCEAN_TOKEN: 'bad-token-123' });
    const failed = failing(checks);
    expect(failed['DigitalOcean token']).toMatch(/401.*tokenEnv/);
    expect(failed['DigitalOcean size']).toMatch(/not checked/);
    expect(JSON.stringify(checks)).not.toContain('bad-token-123');
    expect(checks.find((c) => c.name === 'user_data')?.ok).toBe(true);
  });

  it('names the URL it tried and what to check when no API answers there', async () => {
    const closed = await new FakeDigitalOcean().start();
    await closed.close();
    const failed = failing(await doctor({ apiUrl: closed.url }));
    expect(failed['DigitalOcean token']).toBe(
      `DigitalOcean GET ${closed.url}/v2/account: no answer (ECONNREFUSED): check provider.apiUrl (or DIGITALOCEAN_API_URL) and that this host can reach it`,
    );
  });

  it('names the variable when the token is missing', async () => {
    const failed = failing(await doctor({ tokenEnv: 'DO_TOKEN_FOR_JOBS' }, {}));
    expect(failed['DigitalOcean token']).toMatch(/set the environment variable DO_TOKEN_FOR_JOBS/);
  });

  it('fails when the account has no room for maxServers', async () => {
    const failed = failing(await doctor({}, undefined, 20));
    expect(failed['DigitalOcean droplet limit']).toMatch(/room for 9 < maxServers 20/);
  });

  it('fails on a template with an unknown placeholder or over 64 KiB', async () => {
    const unknown = await templateFile('echo {{vars.MISSING}}\n');
    const huge = await templateFile(`# ${'x'.repeat(70_000)}\n`);
    expect(failing(await doctor({ userDataFile: unknown.path })).user_data).toMatch(/\{\{vars\.MISSING\}\}/);
    expect(failing(await doctor({ userDataFile: huge.path })).user_data).toMatch(
      /over DigitalOcean's 65536-byte/,
    );
    await Promise.all([unknown.remove(), huge.remove()]);
  });
});

describe('digitalocean doctor: snapshot ids as they come on the wire', () => {
  const snapshots = (idOnWire: 'number' | 'omitted') => [
    { id: 2001, name: 'worker-snapshot-v1', regions: ['nyc3'], createdAt: '2026-03-01T00:00:00Z', idOnWire },
  ];

  async function doctorOn(idOnWire: 'number' | 'omitted', snapshot: string | number) {
    const stand = await new FakeDigitalOcean({ snapshots: snapshots(idOnWire) }).start();
    try {
      const config = doConfig(stand.url, template.path, { snapshot });
      return await runDigitalOceanDoctor(
        { ...config, cluster: 'doc', maxServers: 1 },
        { DIGITALOCEAN_TOKEN: stand.token },
        virtualClock(),
      );
    } finally {
      await stand.close();
    }
  }

  it('reads a numeric id as the id', async () => {
    const checks = await doctorOn('number', 'worker-snapshot-v1');
    expect(failing(checks)).toEqual({});
    expect(checks.find((c) => c.name === 'DigitalOcean snapshot')?.detail).toMatch(/\(id 2001\)/);
  });

  it('refuses a snapshot listed without an id, naming it and what to do', async () => {
    const failed = failing(await doctorOn('omitted', 'worker-snapshot-v1'));
    expect(failed['DigitalOcean snapshot']).toMatch(
      /"worker-snapshot-v1": DigitalOcean listed it without a usable id.*set provider\.snapshot to its numeric id/,
    );
  });

  it('boots from the id asked for when the answer leaves it out', async () => {
    const checks = await doctorOn('omitted', 2001);
    expect(failing(checks)).toEqual({});
    expect(checks.find((c) => c.name === 'DigitalOcean snapshot')?.detail).toMatch(/\(id 2001\)/);
  });
});

describe('start refuses a snapshot that cannot boot droplets', () => {
  it('exits 2 naming the snapshot when DigitalOcean lists it without an id, before any create', async () => {
    const stand = await new FakeDigitalOcean({
      snapshots: [
        {
          id: 2001,
          name: 'worker-snapshot-v1',
          regions: ['nyc3'],
          createdAt: '2026-03-01T00:00:00Z',
          idOnWire: 'omitted',
        },
      ],
    }).start();
    try {
      const path = join(dirname(template.path), 'autoscaler.config.json');
      writeFileSync(
        path,
        JSON.stringify({
          cluster: 'snapcheck',
          redis: { url: redisUrl() },
          provider: { ...doConfig(stand.url, template.path), snapshot: 'worker-snapshot-v1' },
          pools: [{ name: 'main', queues: ['jobs'] }],
        }),
      );
      const err: string[] = [];
      const io = {
        out: () => {},
        err: (line: string) => err.push(line),
        env: { DIGITALOCEAN_TOKEN: stand.token },
      };
      expect(await main(['start', '--config', path], io)).toBe(2);
      expect(err).toEqual([
        expect.stringMatching(/^error: provider\.snapshot "worker-snapshot-v1": .*numeric id/),
      ]);
      expect(stand.requestsTo('POST', '/v2/droplets')).toEqual([]);
    } finally {
      await stand.close();
    }
  });
});
