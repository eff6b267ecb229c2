import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalProcessProvider } from '../../providers/local-process/index.ts';
import { ownerTagOf } from '../../providers/provider.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { ScalingEvent } from '../../src/core/events.ts';
import type { ServerState } from '../../src/core/types.ts';
import { FleetStore } from '../../src/fleet/fleet-store.ts';
import { requestedRecord } from '../../src/fleet/server-record.ts';
import { Autoscaler } from '../../src/index.ts';
import { type ReconcileContext, reconcile } from '../../src/reconciler/reconcile.ts';
import { deletePrefix, redisUrl, uniquePrefix, waitFor } from '../helpers/redis.ts';

const dir = mkdtempSync(join(tmpdir(), 'vanished-'));
const prefix = uniquePrefix('vanished');
const cluster = 'vanish';
const redis = new Redis(redisUrl());

afterAll(async () => {
  await deletePrefix(redisUrl(), prefix);
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

/** A "server" whose worker prints a few lines and exits with this code: a crash, or a drained worker. */
function workerScript(name: string, lines: string[], code: number): string {
  const path = join(dir, `${name}.mjs`);
  writeFileSync(
    path,
    `${lines.map((l) => `console.error(${JSON.stringify(l)});`).join('\n')}\nprocess.exit(${code});\n`,
  );
  return path;
}

async function serverThatExits(name: string, script: string, state: ServerState) {
  const provider = createLocalProcessProvider({
    workerEntry: script,
    bootDelayMs: 0,
    stateDir: dir,
    cluster,
  });
  const store = new FleetStore(redis, { prefix, cluster });
  const serverName = `${cluster}-${name}`;
  const [created] = await provider.create([
    { serverId: name, name: serverName, pool: 'main', type: 'default', tags: [ownerTagOf(cluster)], env: {} },
  ]);
  await store.add([
    {
      ...requestedRecord({ id: name, name: serverName, pool: 'main', nowMs: Date.now(), reason: 'test' }),
      state,
      providerId: created?.providerId,
    },
  ]);
  await waitFor(
    'the worker process to exit',
    async () => (await provider.get(created?.providerId ?? '')) === undefined,
  );
  const events: ScalingEvent[] = [];
  const createFailures: string[] = [];
  const ctx: ReconcileContext = {
    config: parseConfig(
      {
        cluster,
        provider: { type: 'local-process', workerEntry: script },
        pools: [{ name: 'main', queues: ['q'] }],
      },
      {},
    ),
    store,
    provider,
    emit: (e) => events.push(e),
    orphansSeenAt: new Map(),
    renewLease: async () => true,
    recordCreateFailure: async (pool) => {
      createFailures.push(pool);
    },
  };
  await reconcile(ctx, await store.list(), Date.now());
  return { events, record: await store.get(name), createFailures };
}

describe('a server that is gone at the provider (issue 19 stumbles)', () => {
  it('a ready server that crashed: server.vanished says its exit code and the error it printed (not the stack)', async () => {
    const script = workerScript(
      'crash',
      ['loading worker', 'Error: ERR_REQUIRE_ASYNC_MODULE top-level await', '    at worker.ts:3'],
      3,
    );
    const { events, record, createFailures } = await serverThatExits('main-1', script, 'ready');
    expect(record?.state).toBe('failed');
    // It had worked (it was ready): not a failed create.
    expect(createFailures).toEqual([]);
    expect(events).toEqual([
      {
        event: 'server.vanished',
        pool: 'main',
        serverId: 'main-1',
        providerId: `${cluster}-main-1`,
        reason:
          'vanished at the provider: exit code 3; last output: Error: ERR_REQUIRE_ASYNC_MODULE top-level await',
      },
    ]);
  });

  it('a drained server that exited is the end of a normal scale-down: no warning, record deleting', async () => {
    const script = workerScript('drained', ['drained: 0 jobs running'], 0);
    const { events, record, createFailures } = await serverThatExits('main-2', script, 'draining');
    expect(events).toEqual([]);
    expect(createFailures).toEqual([]);
    expect(record?.state).toBe('deleting');
  });

  it('never quotes a Redis password from the worker’s output', async () => {
    const script = workerScript('leaky', ['connecting to redis://worker:hunter2@10.0.0.5:6379'], 1);
    const { events, createFailures } = await serverThatExits('main-3', script, 'booting');
    expect(events).toHaveLength(1);
    // Gone before it ever worked: a failed create, towards the pool's backoff and circuit breaker.
    expect(createFailures).toEqual(['main']);
    expect(JSON.stringify(events)).not.toContain('hunter2');
    expect(JSON.stringify(events)).toContain('redis://worker:[redacted]@10.0.0.5:6379');
  });
});

describe('a worker that crash-loops (issue 19 stumbles)', () => {
  it('is replaced more and more slowly, and opens the circuit (an alert) instead of looping forever', async () => {
    const crashing = workerScript('crash-loop', ['SyntaxError: Unexpected token'], 1);
    const loopPrefix = uniquePrefix('crash-loop');
    const scaler = new Autoscaler({
      cluster: loopPrefix,
      redis: { url: redisUrl(), bullmqPrefix: loopPrefix },
      tickMs: 200,
      createFailureBackoffMs: 300,
      lifecycle: { reconcileEveryTicks: 1, circuitBreakerFailures: 3 },
      provider: { type: 'local-process', workerEntry: crashing, bootDelayMs: 0, stateDir: join(dir, 'loop') },
      pools: [{ name: 'main', queues: ['jobs'], maxServers: 1, bootSeconds: 1, defaultRuntimeMs: 1_000 }],
    });
    const queue = new Queue('jobs', { connection: { url: redisUrl() }, prefix: loopPrefix });
    const seen: ScalingEvent[] = [];
    for (const name of ['server.requested', 'server.vanished', 'circuit.open'] as const)
      scaler.on(name, (e) => seen.push(e));
    try {
      await queue.add('job', {});
      await waitFor('the circuit to open', async () => {
        await scaler.tick();
        return seen.some((e) => e.event === 'circuit.open');
      });
    } finally {
      await scaler.close();
      await queue.close();
      await deletePrefix(redisUrl(), loopPrefix);
    }
    const vanished = seen.filter((e) => e.event === 'server.vanished');
    expect(vanished.length).toBeGreaterThanOrEqual(3);
    for (const e of vanished)
      expect(e).toMatchObject({
        reason: expect.stringContaining('exit code 1; last output: SyntaxError: Unexpected token'),
      });
    // Each create waited out a longer backoff than the one before: not a replacement per tick.
    expect(seen.filter((e) => e.event === 'server.requested').length).toBeLessThanOrEqual(
      vanished.length + 1,
    );
    expect(seen.find((e) => e.event === 'circuit.open')).toMatchObject({ pool: 'main', failures: 3 });
  });
});
