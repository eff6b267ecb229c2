import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, writeConfig } from '../helpers/cli.ts';
import { deletePrefix, redisUrl, uniquePrefix } from '../helpers/redis.ts';

const workerEntry = resolve('examples/worker.ts');

function config(overrides: Record<string, unknown> = {}, pool: Record<string, unknown> = {}) {
  return {
    cluster: 'cli-test',
    provider: { type: 'local-process', workerEntry, stateDir: 'servers' },
    pools: [{ name: 'main', queues: ['jobs'], ...pool }],
    ...overrides,
  };
}

describe('bad input exits 2 with one line naming the field, and starts no server', () => {
  const cases: [string, unknown, RegExp][] = [
    [
      'an unknown provider',
      config({ provider: { type: 'hetzner' } }),
      /^error: provider\.type: unknown provider type/m,
    ],
    [
      'a negative minServers',
      config({}, { minServers: -1 }),
      /^error: pools\[0\]\.minServers: must be ≥ 0 \(got -1\)$/m,
    ],
    [
      'inverted min/max',
      config({}, { minServers: 3, maxServers: 1 }),
      /^error: pools\[0\]\.maxServers: must be ≥ minServers \(3\)$/m,
    ],
    [
      'a missing worker entry',
      config({ provider: { type: 'local-process', workerEntry: './nope.ts', stateDir: 'servers' } }),
      /^error: provider\.workerEntry: file not found: .*nope\.ts/m,
    ],
    [
      'an unreachable Redis',
      config({ redis: { url: 'redis://127.0.0.1:1' } }),
      /^error: redis\.url: no Redis answers at redis:\/\/127\.0\.0\.1:1/m,
    ],
  ];
  it.each(cases)('%s', async (_, body, message) => {
    const path = writeConfig(body);
    const result = await runCli(['start', '--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(dirname(path), 'servers'))).toBe(false);
  });

  it('start refuses an empty status-page token variable with exit 2, before touching Redis', async () => {
    const config = writeConfig({
      redis: { url: 'redis://127.0.0.1:9' },
      http: { port: 9, tokenEnv: 'STATUS_PAGE_TOKEN' },
      provider: { type: 'local-process', workerEntry: resolve('test/helpers/recording-worker.ts') },
      pools: [{ name: 'main', queues: ['q'] }],
    });
    const result = await runCli(['start', '--config', config], { STATUS_PAGE_TOKEN: ' ' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/http\.tokenEnv: the environment variable STATUS_PAGE_TOKEN is empty/);
  });

  it('reports every problem at once', async () => {
    const result = await runCli([
      'start',
      '--config',
      writeConfig(config({ tickMs: 5 }, { minServers: -2, slotsPerServer: 0 })),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/tickMs/);
    expect(result.stderr).toMatch(/pools\[0\]\.minServers/);
    expect(result.stderr).toMatch(/pools\[0\]\.slotsPerServer/);
  });

  it('rejects unknown flags and commands', async () => {
    expect((await runCli(['start', '--confg', 'x.json'])).code).toBe(2);
    expect((await runCli(['launch'])).code).toBe(2);
  });
});

describe('read-only commands against the real Redis', () => {
  const prefix = uniquePrefix('cli');
  afterAll(() => deletePrefix(redisUrl(), prefix));

  it('eval prints each pool’s decision as JSON and writes nothing', async () => {
    const queue = new Queue('jobs', { connection: { url: redisUrl() }, prefix });
    await queue.addBulk(Array.from({ length: 12 }, () => ({ name: 'j', data: {} })));
    await queue.close();
    const path = writeConfig(
      config({ redis: { url: redisUrl(), bullmqPrefix: prefix } }, { slotsPerServer: 2 }),
    );
    const result = await runCli(['eval', '--config', path, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as {
      pools: { pool: string; backlog: number; desired: number; reason: string }[];
    };
    expect(output.pools[0]).toMatchObject({ pool: 'main', backlog: 12 });
    expect(output.pools[0]?.desired).toBeGreaterThan(0);
    expect(output.pools[0]?.reason).toMatch(/^scale up 0 →/);
    expect(existsSync(join(dirname(path), 'servers'))).toBe(false);
    const servers = await runCli(['servers', '--config', path, '--json']);
    expect(JSON.parse(servers.stdout)).toEqual([]);
  });

  it('eval shows the schedule window in force and the minimum it raised, and delayed jobs due soon', async () => {
    const queue = new Queue('soon', { connection: { url: redisUrl() }, prefix });
    await queue.addBulk(Array.from({ length: 5 }, () => ({ name: 'j', data: {}, opts: { delay: 20_000 } })));
    await queue.close();
    // Every minute, for a whole minute: always open.
    const schedules = [{ cron: '* * * * *', timezone: 'Europe/Berlin', durationMs: 60_000, minServers: 3 }];
    const path = writeConfig(
      config(
        { redis: { url: redisUrl(), bullmqPrefix: prefix } },
        { queues: ['soon'], maxServers: 5, schedules },
      ),
    );
    const result = await runCli(['eval', '--config', path, '--json']);
    expect(result.code).toBe(0);
    const [pool] = (JSON.parse(result.stdout) as { pools: Record<string, unknown>[] }).pools;
    expect(pool?.schedule).toMatchObject({ label: '"* * * * *" Europe/Berlin', minServers: 3 });
    expect(pool?.desired).toBe(3);
    expect(pool?.reason).toMatch(/5 delayed due within 78\.0s/);
    expect(pool?.reason).toMatch(/raised to 3 by schedule "\* \* \* \* \*" Europe\/Berlin \(minServers 3\)$/);
  });

  it('status and servers describe an empty fleet', async () => {
    const path = writeConfig(config({ redis: { url: redisUrl(), bullmqPrefix: prefix } }));
    const status = await runCli(['status', '--config', path, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      cluster: 'cli-test',
      pools: [{ pool: 'main', servers: {} }],
    });
    const servers = await runCli(['servers', '--config', path]);
    expect(servers.stdout.trim()).toBe('no servers');
    const history = await runCli(['servers', '--config', path, '--history', 'main-1']);
    expect(history.code).toBe(2);
    expect(history.stderr).toMatch(/--history: no audit entries for server "main-1"/);
  });
});
