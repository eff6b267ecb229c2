import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { ConfigError, parseConfig } from '../../src/config/load.ts';

const workerEntry = resolve('examples/worker.ts');
const userDataFile = resolve('examples/digitalocean-user-data.sh');
const pool = { name: 'main', queues: ['jobs'] };
const local = { type: 'local-process', workerEntry };
const droplets = { type: 'digitalocean', region: 'fra1', size: 's-1vcpu-1gb', snapshot: 7, userDataFile };

function config(top: Record<string, unknown> = {}, poolFields: Record<string, unknown> = {}) {
  return { provider: local, pools: [{ ...pool, ...poolFields }], ...top };
}

const unknownOption = 'unknown option (check the spelling; see docs/configuration.md)';
const levels = '"trace", "debug", "info", "warn", "error", "fatal", "silent"';

/** [what is wrong, config, env, the exact problem line] */
const cases: [string, unknown, Record<string, string>, string][] = [
  [
    'a comma in a queue name',
    config({}, { queues: ['a,b'] }),
    {},
    'pools[0].queues[0]: must not contain a comma, a colon or a control character (rename the queue)',
  ],
  [
    'a newline in a queue name',
    config({}, { queues: ['jobs\nx'] }),
    {},
    'pools[0].queues[0]: must not contain a comma, a colon or a control character (rename the queue)',
  ],
  [
    'the same queue twice in a pool',
    config({}, { queues: ['jobs', 'mail', 'jobs'] }),
    {},
    'pools[0].queues[2]: queue "jobs" is listed twice in this pool: list it once',
  ],
  [
    'the same queue in two pools',
    { provider: local, pools: [pool, { name: 'other', queues: ['jobs'] }] },
    {},
    'pools[1].queues[0]: queue "jobs" is already served by pool "main"',
  ],
  [
    'an absurd boot time',
    config({}, { bootSeconds: 1e308 }),
    {},
    'pools[0].bootSeconds: must be ≤ 604800 (got 1e+308)',
  ],
  [
    'a duration past a week',
    config({ lifecycle: { heartbeatLostMs: 1e12 } }),
    {},
    'lifecycle.heartbeatLostMs: must be ≤ 604800000 (got 1000000000000)',
  ],
  [
    'a reconcile period that overflows a timer',
    config({ lifecycle: { reconcileEveryTicks: 1e9 } }),
    {},
    'lifecycle.reconcileEveryTicks: must be ≤ 10000 (got 1000000000)',
  ],
  [
    'an absurd server cap',
    config({}, { maxServers: 1e9 }),
    {},
    'pools[0].maxServers: must be ≤ 10000 (got 1000000000)',
  ],
  [
    'a lease shorter than two ticks',
    config({ tickMs: 5_000, lifecycle: { leaseTtlMs: 8_000 } }),
    {},
    'lifecycle.leaseTtlMs: must be ≥ 2 × tickMs (10000; got 8000): raise it or lower tickMs',
  ],
  ['tick too fast', config({ tickMs: 5 }), {}, 'tickMs: must be ≥ 100 (got 5)'],
  ['tick too slow', config({ tickMs: 120_000 }), {}, 'tickMs: must be ≤ 60000 (got 120000)'],
  ['tick as a string', config({ tickMs: '1s' }), {}, 'tickMs: must be a number (got "1s")'],
  ['fractional tick', config({ tickMs: 1.5 }), {}, 'tickMs: must be a whole number (got 1.5)'],
  [
    'cluster with capitals',
    config({ cluster: 'Prod!' }),
    {},
    'cluster: use 1–31 lowercase letters, digits or dashes, starting with a letter or digit',
  ],
  ['negative global cap', config({ maxServersTotal: -1 }), {}, 'maxServersTotal: must be ≥ 0 (got -1)'],
  ['redis url as a number', config({ redis: { url: 5 } }), {}, 'redis.url: must be a string (got 5)'],
  [
    'empty BullMQ prefix',
    config({ redis: { bullmqPrefix: '' } }),
    {},
    'redis.bullmqPrefix: must not be empty',
  ],
  ['unknown redis option', config({ redis: { host: 'x' } }), {}, `redis.host: ${unknownOption}`],
  [
    'misspelt top-level option',
    config({ maxServer: 3 }),
    {},
    'maxServer: unknown option; did you mean "maxServersTotal"?',
  ],
  [
    'boot deadline under a second',
    config({ lifecycle: { bootTimeoutMs: 10 } }),
    {},
    'lifecycle.bootTimeoutMs: must be ≥ 1000 (got 10)',
  ],
  [
    'no provider',
    { pools: [pool] },
    {},
    'provider: required: give an object with "type": "local-process", "digitalocean" or "aws-ec2"',
  ],
  [
    'provider as a string',
    config({ provider: 'digitalocean' }),
    {},
    'provider: must be an object with "type": "local-process", "digitalocean" or "aws-ec2"',
  ],
  [
    'unknown provider type',
    config({ provider: { type: 'hetzner' } }),
    {},
    'provider.type: unknown provider type: use "local-process", "digitalocean" or "aws-ec2"',
  ],
  [
    'local provider without a worker',
    config({ provider: { type: 'local-process' } }),
    {},
    'provider.workerEntry: required: give a string',
  ],
  [
    'negative boot delay',
    config({ provider: { ...local, bootDelayMs: -5 } }),
    {},
    'provider.bootDelayMs: must be ≥ 0 (got -5)',
  ],
  [
    'droplets without a region',
    config({ provider: { ...droplets, region: undefined } }),
    {},
    'provider.regions: required: give regions (in order of preference) or region, e.g. "regions": ["fra1", "ams3"]',
  ],
  [
    'API rate above DigitalOcean’s',
    config({ provider: { ...droplets, requestsPerMinute: 300 } }),
    {},
    'provider.requestsPerMinute: must be ≤ 250 (got 300)',
  ],
  [
    'malformed VPC id',
    config({ provider: { ...droplets, vpcUuid: 'nope' } }),
    {},
    'provider.vpcUuid: must be a valid UUID',
  ],
  [
    'malformed API URL',
    config({ provider: { ...droplets, apiUrl: 'not a url' } }),
    {},
    'provider.apiUrl: must be a valid URL',
  ],
  [
    'API URL ending in /v2',
    config({ provider: { ...droplets, apiUrl: 'https://api.digitalocean.com/v2' } }),
    {},
    'provider.apiUrl: give the API base without /v2, e.g. https://api.digitalocean.com (the provider adds /v2/…)',
  ],
  [
    'the token itself in tokenEnv',
    config({ provider: { ...droplets, tokenEnv: `dop_v1_${'3f'.repeat(32)}` } }),
    {},
    'provider.tokenEnv: this looks like an API token, not a variable name: put the token in an environment variable (e.g. DIGITALOCEAN_TOKEN), name that variable here, and revoke the token if this file was shared',
  ],
  [
    'a legacy hex token in tokenEnv',
    config({ provider: { ...droplets, tokenEnv: 'ab12'.repeat(16) } }),
    {},
    'provider.tokenEnv: this looks like an API token, not a variable name: put the token in an environment variable (e.g. DIGITALOCEAN_TOKEN), name that variable here, and revoke the token if this file was shared',
  ],
  [
    'tag with a space',
    config({ provider: { ...droplets, tags: ['bad tag'] } }),
    {},
    'provider.tags[0]: use letters, digits, underscores, dashes or colons (DigitalOcean tag rules)',
  ],
  [
    'misspelt droplet option',
    config({ provider: { ...droplets, snapshotId: 1 } }),
    {},
    'provider.snapshotId: unknown option; did you mean "snapshot"?',
  ],
  ['no pools', { provider: local }, {}, 'pools: required: give a list'],
  ['empty pools', config({ pools: [] }), {}, 'pools: needs at least 1 item'],
  ['pool without queues', config({}, { queues: [] }), {}, 'pools[0].queues: needs at least 1 item'],
  ['empty queue name', config({}, { queues: [''] }), {}, 'pools[0].queues[0]: must not be empty'],
  [
    'pool without a name',
    config({ pools: [{ queues: ['jobs'] }] }),
    {},
    'pools[0].name: required: give a string',
  ],
  [
    'pool name with capitals',
    config({}, { name: 'Emails' }),
    {},
    'pools[0].name: use 1–31 lowercase letters, digits or dashes, starting with a letter or digit',
  ],
  [
    'two pools of one name',
    config({ pools: [pool, { name: 'main', queues: ['other'] }] }),
    {},
    'pools[1].name: duplicate pool name "main"',
  ],
  [
    'one queue in two pools',
    config({ pools: [pool, { name: 'second', queues: ['jobs'] }] }),
    {},
    'pools[1].queues[0]: queue "jobs" is already served by pool "main"',
  ],
  [
    'inverted min/max',
    config({}, { minServers: 3, maxServers: 1 }),
    {},
    'pools[0].maxServers: must be ≥ minServers (3)',
  ],
  ['zero slots', config({}, { slotsPerServer: 0 }), {}, 'pools[0].slotsPerServer: must be ≥ 1 (got 0)'],
  [
    'zero utilisation',
    config({}, { targetUtilisation: 0 }),
    {},
    'pools[0].targetUtilisation: must be > 0 (got 0)',
  ],
  [
    'utilisation over 1',
    config({}, { targetUtilisation: 1.5 }),
    {},
    'pools[0].targetUtilisation: must be ≤ 1 (got 1.5)',
  ],
  ['zero wait target', config({}, { targetWaitMs: 0 }), {}, 'pools[0].targetWaitMs: must be ≥ 1 (got 0)'],
  [
    'negative paid minimum',
    config({}, { keepPaidServersMs: -1 }),
    {},
    'pools[0].keepPaidServersMs: must be ≥ 0 (got -1)',
  ],
  [
    'fractional paid minimum',
    config({}, { keepPaidServersMs: 2_015_999.5 }),
    {},
    'pools[0].keepPaidServersMs: must be a whole number (got 2015999.5)',
  ],
  [
    'paid minimum as a string',
    config({}, { keepPaidServersMs: '33.6m' }),
    {},
    'pools[0].keepPaidServersMs: must be a number (got "33.6m")',
  ],
  [
    'misspelt pool option',
    config({}, { maxServer: 4 }),
    {},
    'pools[0].maxServer: unknown option; did you mean "maxServers"?',
  ],
  [
    'unknown log level',
    config({ log: { level: 'loud' } }),
    {},
    `log.level: must be one of ${levels} (got "loud")`,
  ],
  ['port out of range', config({ http: { port: 70_000 } }), {}, 'http.port: must be ≤ 65535 (got 70000)'],
  ['port as a string', config({ http: { port: '9464' } }), {}, 'http.port: must be a number (got "9464")'],
  ['empty bind host', config({ http: { host: '' } }), {}, 'http.host: must not be empty'],
  [
    'webhook that is not http(s)',
    config({ alerts: { webhookUrl: 'ftp://example.com/hook' } }),
    {},
    'alerts.webhookUrl: must be a valid URL',
  ],
  [
    'no alerts at all per hour',
    config({ alerts: { maxPerHour: 0 } }),
    {},
    'alerts.maxPerHour: must be ≥ 1 (got 0)',
  ],
  ['a list instead of a config', [1, 2], {}, '(config): must be an object (got a list)'],
  [
    'HTTP_PORT that is not a number',
    config(),
    { HTTP_PORT: 'abc' },
    'http.port: must be a number (got "abc")',
  ],
  [
    'LOG_LEVEL that pino lacks',
    config(),
    { LOG_LEVEL: 'verbose' },
    `log.level: must be one of ${levels} (got "verbose")`,
  ],
];

function problemsOf(raw: unknown, env: Record<string, string>): string[] {
  try {
    parseConfig(raw, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('malformed configs are rejected with the field path and what to do', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('%s', (_, raw, env, line) => {
    expect(problemsOf(raw, env)).toEqual([line]);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf(
      config({ tickMs: 5, http: { port: 0 } }, { minServers: -2, slotsPerServer: 0 }),
      {},
    );
    expect(problems).toEqual([
      'tickMs: must be ≥ 100 (got 5)',
      'pools[0].slotsPerServer: must be ≥ 1 (got 0)',
      'pools[0].minServers: must be ≥ 0 (got -2)',
      'http.port: must be ≥ 1 (got 0)',
    ]);
  });

  it('never echoes a webhook URL or a Redis password', () => {
    const secret = 'T0/B0/s3cr3t';
    const problems = problemsOf(
      config({
        redis: { url: ['redis://u:hunter2@h'] },
        alerts: { webhookUrl: `hooks.slack.com/services/${secret}` },
      }),
      {},
    );
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toMatch(/s3cr3t|hunter2/);
  });
});

describe('a JS config that throws', () => {
  it('is reported as unreadable without echoing a Redis password from its exception', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bullmq-autoscaler-config-'));
    const path = join(dir, 'autoscaler.config.mjs');
    writeFileSync(path, "throw new Error('no route to redis://app:hunter2@10.0.0.5:6379');\n");
    const err: string[] = [];
    const io = { out: () => {}, err: (l: string) => err.push(l), env: {} };
    expect(await main(['start', '--config', path], io)).toBe(2);
    expect(err.join('\n')).toMatch(/--config .*: no route to redis:\/\/app:\[redacted\]@10\.0\.0\.5/);
    expect(err.join('\n')).not.toContain('hunter2');
  });
});

describe('start refuses a malformed config before any provider call', () => {
  function collect() {
    const err: string[] = [];
    return { io: { out: () => {}, err: (l: string) => err.push(l), env: {} }, err };
  }

  it.each(cases)('%s: exit 2 naming the field', async (_, raw, env, line) => {
    const dir = mkdtempSync(join(tmpdir(), 'bullmq-autoscaler-config-'));
    const stateDir = join(dir, 'servers');
    const body =
      raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? withStateDir(raw, stateDir) : raw;
    const path = join(dir, 'autoscaler.config.json');
    writeFileSync(path, JSON.stringify(body));
    const { io, err } = collect();
    expect(await main(['start', '--config', path], { ...io, env })).toBe(2);
    expect(err).toEqual([`error: ${line}`]);
    expect(existsSync(stateDir)).toBe(false);
  });
});

/** A local provider's state folder appears on its first call: its absence proves there was none. */
function withStateDir(raw: object, stateDir: string): object {
  const provider = (raw as { provider?: unknown }).provider;
  if (typeof provider !== 'object' || provider === null || !('type' in provider)) return raw;
  if (provider.type !== 'local-process') return raw;
  return { ...raw, provider: { ...provider, stateDir } };
}
