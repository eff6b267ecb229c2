import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/dev/ensure-redis.ts';
import { FakeDigitalOcean } from '../fakes/digitalocean-api.ts';
import { runCli } from '../helpers/cli.ts';
import { uniquePrefix, waitFor } from '../helpers/redis.ts';
import { SecuredRedis } from '../helpers/secured-redis.ts';

/*
 * A scaler started as an operator would, with a Redis password (an ACL user; the default user is
 * off) and a DigitalOcean token in its environment. Everything it says is captured — log lines,
 * stderr, /status, /metrics, /healthz, the status page, the CLI's output, even what it wrote to
 * Redis — and searched for both secrets.
 */
const token = `dop_v1_${randomBytes(24).toString('hex')}`;
let redis: SecuredRedis;
let fake: FakeDigitalOcean;
let dir: string;
let configPath: string;
let httpUrl: string;
const prefix = uniquePrefix('secrets');
const captured = new Map<string, string>();

beforeAll(async () => {
  redis = await SecuredRedis.start({ tls: false });
  fake = await new FakeDigitalOcean({ token, activeAfterMs: 50 }).start();
  // Failures make the scaler log provider errors, the likeliest place for a token to leak.
  // Four 500s outlast the provider's own retries of a create, so the error reaches the log.
  fake.inject({ method: 'POST', path: '/v2/droplets', status: 500, times: 4 });
  fake.inject({ method: 'GET', path: '/v2/droplets', status: 503, times: 2 });
  dir = mkdtempSync(join(tmpdir(), 'bullmq-autoscaler-secrets-'));
  const port = await freePort();
  httpUrl = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, 'user-data.sh'), '#!/bin/sh\nREDIS_URL={{REDIS_URL}}\nPOOL={{POOL}}\n');
  configPath = join(dir, 'autoscaler.config.json');
  writeFileSync(configPath, JSON.stringify(secretsConfig(port)));
});

afterAll(async () => {
  await fake?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function secretsConfig(port: number) {
  return {
    cluster: prefix,
    redis: { bullmqPrefix: prefix },
    tickMs: 200,
    http: { port },
    lifecycle: { bootTimeoutMs: 1_500, reconcileEveryTicks: 3 },
    provider: {
      type: 'digitalocean',
      apiUrl: fake.url,
      region: 'nyc3',
      size: 's-1vcpu-1gb',
      snapshot: 'worker-base',
      userDataFile: './user-data.sh',
    },
    pools: [{ name: 'main', queues: ['jobs'], maxServers: 2, bootSeconds: 1, targetWaitMs: 1_000 }],
  };
}

const env = () => ({ REDIS_URL: redis.url, DIGITALOCEAN_TOKEN: token, LOG_LEVEL: 'debug' });

/** `bullmq-autoscaler start` with every byte of its stdout and stderr kept, JSON or not. */
function startScaler(): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['dist/src/cli/bin.js', 'start', '--config', configPath], {
    env: { PATH: process.env.PATH, ...env() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (d: Buffer) => (output += d));
  return { child, output: () => output };
}

async function fetchText(path: string): Promise<string> {
  return (await fetch(`${httpUrl}${path}`)).text();
}

/** Every value under the cluster's prefix, whatever its type. */
async function redisContents(): Promise<string> {
  const client = new Redis(redis.url);
  try {
    const keys = await client.keys(`${prefix}:*`);
    const values = await Promise.all(keys.map(async (key) => [key, await dump(client, key)]));
    return JSON.stringify(values);
  } finally {
    await client.quit();
  }
}

async function dump(client: Redis, key: string): Promise<unknown> {
  switch (await client.type(key)) {
    case 'string':
      return client.get(key);
    case 'hash':
      return client.hgetall(key);
    case 'list':
      return client.lrange(key, 0, -1);
    case 'set':
      return client.smembers(key);
    case 'zset':
      return client.zrange(key, '0', '-1');
    case 'stream':
      return client.xrange(key, '-', '+');
    default:
      return null;
  }
}

describe('secrets stay secret', () => {
  it('no log line, error, HTTP answer, CLI output or Redis value holds the token or the Redis password', async () => {
    const queue = new Queue('jobs', { connection: { url: redis.url }, prefix });
    await queue.addBulk(Array.from({ length: 5 }, () => ({ name: 'job', data: {} })));
    const scaler = startScaler();
    try {
      // Droplets here run no worker: they are created, hang past the boot deadline and are replaced.
      await waitFor('a server created and one hanging', async () =>
        /"server\.created"[\s\S]*"server\.hanging"/.test(scaler.output()),
      );
      for (const path of ['/status', '/metrics', '/healthz', '/'])
        captured.set(`GET ${path}`, await fetchText(path));
      const commands = ['status', 'servers', 'eval', 'doctor'];
      const runs = await Promise.all(commands.map((c) => runCli([c, '--config', configPath], env())));
      for (const [i, run] of runs.entries()) captured.set(`cli ${commands[i]}`, run.stdout + run.stderr);
      const wrong = await runCli(['status', '--config', configPath], {
        ...env(),
        REDIS_URL: redis.url.replace(redis.password, `${redis.password}-wrong`),
      });
      captured.set('cli status, wrong password', wrong.stdout + wrong.stderr);
      captured.set('redis contents', await redisContents());
    } finally {
      scaler.child.kill('SIGTERM');
      await new Promise((resolve) => scaler.child.once('exit', resolve));
      await queue.obliterate({ force: true });
      await queue.close();
    }
    captured.set('scaler stdout and stderr', scaler.output());

    // The capture is real: the scaler did talk to both, and the servers got their Redis URL.
    expect(captured.get('scaler stdout and stderr')).toMatch(/provider\.error/);
    expect(captured.get('GET /metrics')).toMatch(/bullmq_autoscaler/);
    const userData = fake.requestsTo('POST', '/v2/droplets').map((r) => JSON.stringify(r.body));
    expect(userData.join('')).toContain(redis.password);
    expect(userData.join('')).not.toContain(token);
    for (const [surface, text] of captured) {
      expect(text.length, `${surface} captured nothing`).toBeGreaterThan(0);
      expect(text.includes(token), `${surface} holds the DigitalOcean token`).toBe(false);
      expect(text.includes(redis.password), `${surface} holds the Redis password`).toBe(false);
    }
  });
});
