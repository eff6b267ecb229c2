import { writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { ServerState } from '../../src/core/types.ts';
import { FleetStore } from '../../src/fleet/fleet-store.ts';
import { PinStore } from '../../src/fleet/pin-store.ts';
import { requestedRecord } from '../../src/fleet/server-record.ts';
import { writeConfig } from '../helpers/cli.ts';
import { deletePrefix, redisUrl, uniquePrefix } from '../helpers/redis.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fleet recorded in Redis (records only: these commands never call a provider). */
async function fleet(servers: [id: string, pool: string, state: ServerState][]) {
  const prefix = uniquePrefix('cli-down');
  const cluster = prefix;
  const redis = new Redis(redisUrl());
  cleanups.push(async () => {
    await deletePrefix(redisUrl(), prefix);
    await redis.quit();
  });
  const store = new FleetStore(redis, { prefix, cluster });
  const nowMs = Date.now();
  await store.add(
    servers.map(([id, pool, state]) => ({
      ...requestedRecord({ id, name: `${cluster}-${id}`, pool, nowMs, reason: 'test' }),
      state,
      providerId: state === 'requested' ? undefined : `p-${id}`,
    })),
  );
  const path = writeConfig({
    cluster,
    redis: { url: redisUrl(), bullmqPrefix: prefix },
    provider: { type: 'local-process', workerEntry: 'x.mjs' },
    pools: [
      { name: 'emails', queues: ['emails'] },
      { name: 'video', queues: ['video'] },
    ],
  });
  // The config names a worker entry: make it exist beside the file.
  writeFileSync(path.replace(/[^/]+$/, 'x.mjs'), '');
  return { store, pins: new PinStore(redis, { prefix, cluster }), path };
}

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
  return { code, out, err };
}

describe('status (issue 19 stumbles)', () => {
  it('prints readable server counts, not raw JSON', async () => {
    const { path } = await fleet([
      ['emails-1', 'emails', 'ready'],
      ['emails-2', 'emails', 'ready'],
      ['emails-3', 'emails', 'booting'],
      ['emails-4', 'emails', 'draining'],
    ]);
    const { code, out } = await run(['status', '-c', path]);
    expect(code).toBe(0);
    expect(out[0]).toBe('pool emails (emails): 3 server(s) — 1 booting, 2 ready, 1 draining');
    expect(out.join('\n')).not.toMatch(/\{"/);
    expect(out).toContain('pool video (video): 0 server(s)');
  });
});

describe('down: drain every server of the cluster, never kill one mid-job', () => {
  it('pins every pool to 0 and drains its ready and booting servers; creating ones follow once up', async () => {
    const { store, pins, path } = await fleet([
      ['emails-1', 'emails', 'ready'],
      ['emails-2', 'emails', 'booting'],
      ['emails-3', 'emails', 'creating'],
      ['video-1', 'video', 'ready'],
      ['video-2', 'video', 'deleting'],
    ]);
    const { code, out } = await run(['down', '-c', path, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({
      pools: [
        { pool: 'emails', draining: ['emails-1', 'emails-2'], notYetUp: ['emails-3'] },
        { pool: 'video', draining: ['video-1'], notYetUp: [] },
      ],
    });
    const states = Object.fromEntries((await store.list()).map((r) => [r.id, r.state]));
    expect(states).toEqual({
      'emails-1': 'draining',
      'emails-2': 'draining',
      'emails-3': 'creating',
      'video-1': 'draining',
      'video-2': 'deleting',
    });
    // Draining is the scale-down drain: the worker is signalled, it finishes its jobs, then exits.
    expect((await store.history('emails-1')).at(-1)).toMatchObject({
      to: 'draining',
      reason: 'down: drain every server',
    });
    const pinned = await pins.active(['emails', 'video'], Date.now());
    expect([...pinned.values()].map((p) => [p.pool, p.servers, p.untilMs])).toEqual([
      ['emails', 0, undefined],
      ['video', 0, undefined],
    ]);
  });

  it('--pool takes down one pool only', async () => {
    const { store, pins, path } = await fleet([
      ['emails-1', 'emails', 'ready'],
      ['video-1', 'video', 'ready'],
    ]);
    const { code, out } = await run(['down', '-c', path, '-p', 'video']);
    expect(code).toBe(0);
    expect(out[0]).toBe('pool video: pinned to 0, draining 1 server(s)');
    expect((await store.get('emails-1'))?.state).toBe('ready');
    expect((await store.get('video-1'))?.state).toBe('draining');
    expect([...(await pins.active(['emails', 'video'], Date.now())).keys()]).toEqual(['video']);
    const wrong = await run(['down', '-c', path, '--pool', 'vidoe']);
    expect(wrong.code).toBe(2);
    expect(wrong.err[0]).toBe(
      'error: pool: no pool "vidoe" in the config; did you mean "video"? (pools: emails, video)',
    );
  });
});
