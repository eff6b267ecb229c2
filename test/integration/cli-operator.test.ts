import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { configJsonSchema } from '../../src/config/json-schema.ts';
import { FleetStore } from '../../src/fleet/fleet-store.ts';
import type { ServerRecord } from '../../src/fleet/server-record.ts';
import { Autoscaler } from '../../src/index.ts';
import { runCli, writeConfig } from '../helpers/cli.ts';
import { redisUrl, waitFor } from '../helpers/redis.ts';
import { fleetFixture, freePort } from './http-fixture.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function fixture(label: string) {
  const fx = fleetFixture(label);
  cleanups.push(fx.cleanup);
  return { ...fx, path: writeConfig(fx.config) };
}

/** In-process runs for the refusals: same code path as the binary, without a second per spawn. */
async function inProcess(args: string[]) {
  const err: string[] = [];
  const code = await main(args, { out: () => {}, err: (l) => err.push(l), env: {} });
  return { code, err: err.join('\n') };
}

describe('config schema and simulate', () => {
  it('config schema prints the JSON Schema of config files', async () => {
    const result = await runCli(['config', 'schema']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(configJsonSchema());
    expect((await inProcess(['config', 'scheme'])).code).toBe(2);
  });

  it('simulate passes its flags through and reports as JSON', async () => {
    const { path } = fixture('cli-sim');
    const result = await runCli(['simulate', '--trace', 'steady', '--config', path, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { pool: string; jobs: number; trace: string };
    expect(report).toMatchObject({ pool: 'main', trace: 'steady' });
    expect(report.jobs).toBeGreaterThan(0);
    expect((await inProcess(['simulate', '--config', path])).code).toBe(2);
  });
});

describe('doctor', () => {
  it('checks Redis and the worker entry of a local config', async () => {
    const { path } = fixture('cli-doctor');
    const result = await runCli(['doctor', '--config', path, '--json']);
    expect(result.code).toBe(0);
    const checks = JSON.parse(result.stdout) as { name: string; ok: boolean }[];
    expect(checks).toEqual([
      expect.objectContaining({ name: 'Redis', ok: true }),
      expect.objectContaining({ name: 'worker entry', ok: true }),
    ]);
  });
});

describe('scale --pin / --unpin', () => {
  it('pins a pool the scaler then holds, shows it in status, and unpins', async () => {
    const fx = fixture('cli-pin');
    const scaler = new Autoscaler(fx.config);
    cleanups.push(() => scaler.close());
    const pins: unknown[] = [];
    scaler.on('pin.applied', (e) => pins.push(e)).on('pin.expired', (e) => pins.push(e));
    await fx.addSlowJobs(4);

    const pinned = await runCli(['scale', 'main', '--pin', '0', '--for', '30m', '--config', fx.path]);
    expect(pinned.stderr).toBe('');
    expect(pinned.code).toBe(0);
    await scaler.tick();
    const decision = scaler.poolStates().get('main')?.last;
    expect(decision?.desired).toBe(0);
    expect(decision?.reason).toMatch(/ — pinned to 0 until \S+ \(policy wants [1-9]\d*\)$/);
    expect(await scaler.servers()).toEqual([]);
    expect(pins).toEqual([expect.objectContaining({ event: 'pin.applied', pool: 'main', servers: 0 })]);

    const status = await runCli(['status', '--config', fx.path, '--json']);
    const [pool] = (JSON.parse(status.stdout) as { pools: { pin: { servers: number; untilMs: number } }[] })
      .pools;
    expect(pool?.pin.servers).toBe(0);
    expect(pool?.pin.untilMs).toBeGreaterThan(Date.now() + 29 * 60_000);

    expect((await runCli(['scale', 'main', '--unpin', '-c', fx.path])).code).toBe(0);
    await scaler.tick();
    expect(pins.at(-1)).toEqual({ event: 'pin.expired', pool: 'main', servers: 0, reason: 'removed' });
    expect(scaler.poolStates().get('main')?.last?.desired).toBeGreaterThan(0);
  });

  it.each([
    [
      'an unknown pool',
      ['nope', '--pin', '1'],
      /^error: pool: no pool "nope" in the config \(pools: main\)$/,
    ],
    [
      'a pin above maxServers',
      ['main', '--pin', '9'],
      /^error: --pin: use a whole number from 0 to .*\(3\); got "9"$/,
    ],
    ['both --pin and --unpin', ['main', '--pin', '1', '--unpin'], /^error: scale: give either --pin/],
    [
      'a malformed duration',
      ['main', '--pin', '1', '--for', '30 minutes'],
      /^error: --for: use a duration like/,
    ],
    ['no pool', ['--pin', '1'], /^error: expected <pool>, got 0 argument/],
  ])('refuses %s with exit 2', async (_, args, message) => {
    const { path } = fixture('cli-pin-bad');
    const result = await inProcess(['scale', ...args, '--config', path]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
  });
});

describe('drain', () => {
  it('drains a ready server the way a scale-down does, audited as a manual drain', async () => {
    const fx = fixture('cli-drain');
    const redis = new Redis(redisUrl());
    cleanups.push(async () => {
      await redis.quit();
    });
    const store = new FleetStore(redis, {
      prefix: fx.config.redis?.bullmqPrefix ?? '',
      cluster: fx.config.cluster ?? '',
    });
    await store.add([record('main-7', 'ready')]);

    const result = await runCli(['drain', 'main-7', '--config', fx.path]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await store.get('main-7')).toMatchObject({ state: 'draining', reason: 'manual drain' });
    expect(await redis.exists(store.keys.drain('main-7'))).toBe(1);
    expect((await store.history('main-7')).at(-1)).toMatchObject({
      from: 'ready',
      to: 'draining',
      reason: 'manual drain',
    });

    const again = await inProcess(['drain', 'main-7', '--config', fx.path]);
    expect(again).toEqual({
      code: 1,
      err: 'error: server main-7 is draining; only ready or booting servers can be drained',
    });
    const unknown = await inProcess(['drain', 'main-99', '--config', fx.path]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^error: server: no server "main-99"/);
  });
});

describe('start', () => {
  it('serves /healthz on HTTP_PORT, logs JSON lines, and stops cleanly on SIGTERM', async () => {
    const fx = fixture('cli-start');
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/src/cli/bin.js', 'start', '--config', fx.path], {
      env: { PATH: process.env.PATH, HTTP_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    cleanups.push(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    const health = await waitFor('the scaler to lead', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      const body = (await response?.json()) as { role?: string } | undefined;
      return body?.role === 'leader' ? body : undefined;
    });
    expect(health).toMatchObject({ status: 'ok', redisOk: true });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event?: string; [field: string]: unknown });
    expect(lines.map((l) => l.event)).toEqual(
      expect.arrayContaining(['scaler.started', 'http.listening', 'summary', 'scaler.stopped']),
    );
    // The first tick summarises every pool, whether or not anything changed.
    expect(lines.find((l) => l.event === 'summary')).toMatchObject({
      pool: 'main',
      backlog: 0,
      oldestWaitMs: 0,
      desired: 0,
      current: 0,
      servers: {},
    });
  });
});

function record(id: string, state: ServerRecord['state']): ServerRecord {
  return {
    id,
    name: id,
    pool: 'main',
    state,
    providerId: undefined,
    createdAtMs: Date.now(),
    updatedAtMs: Date.now(),
    createCalledAtMs: undefined,
    readyAtMs: undefined,
    drainStartedAtMs: undefined,
    reason: 'test record',
  };
}
