import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createDigitalOceanProvider } from '../../providers/digitalocean/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { AutoscalerConfigInput } from '../../src/config/schema.ts';
import { capacityStates } from '../../src/core/server-state.ts';
import { Autoscaler } from '../../src/index.ts';
import { DropletServers } from '../chaos/droplet-servers.ts';
import { FakeDigitalOcean } from '../fakes/digitalocean-api.ts';
import type { FakeSnapshot } from '../fakes/digitalocean-models.ts';
import { captureLog } from '../helpers/capture-log.ts';
import { deletePrefix, redisUrl, uniquePrefix, waitFor } from '../helpers/redis.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** Droplets turn active this long after creation: the fake's boot. */
const activeAfterMs = 1_000;

interface Setup {
  pools: AutoscalerConfigInput['pools'];
  /** Provider-block overrides (regions, serverTypes, …). */
  provider?: Record<string, unknown>;
}

/** The scaler on the real DigitalOcean provider against the fake API, with workers for its droplets. */
async function world(setup: Setup) {
  const prefix = uniquePrefix('types');
  const snapshots: FakeSnapshot[] = [
    { id: 1002, name: 'worker-base', regions: ['nyc3', 'fra1'], createdAt: '2026-02-01T00:00:00Z' },
  ];
  const fake = await new FakeDigitalOcean({ dropletLimit: 40, activeAfterMs, snapshots }).start();
  const dir = mkdtempSync(join(tmpdir(), 'bullmq-autoscaler-types-'));
  const userDataFile = join(dir, 'user-data.sh');
  writeFileSync(userDataFile, '#!/bin/sh\nPOOL={{POOL}}\nREDIS_URL={{REDIS_URL}}\n');
  const input: AutoscalerConfigInput = {
    cluster: prefix,
    redis: { url: redisUrl(), bullmqPrefix: prefix },
    tickMs: 250,
    maxServersTotal: 20,
    lifecycle: { reconcileEveryTicks: 20, stalledCheckMs: 1_000, heartbeatLostMs: 10_000 },
    log: { summaryEveryMs: 0 },
    provider: {
      type: 'digitalocean',
      apiUrl: fake.url,
      region: 'nyc3',
      size: 's-1vcpu-1gb',
      snapshot: 'worker-base',
      userDataFile,
      imageCheckMs: 1_000,
      ...setup.provider,
    },
    pools: setup.pools,
  };
  const config = parseConfig(input, {});
  if (config.provider.type !== 'digitalocean') throw new Error('unreachable');
  const provider = createDigitalOceanProvider(
    { ...config.provider, cluster: prefix },
    { DIGITALOCEAN_TOKEN: fake.token },
  );
  const log = captureLog();
  const scaler = new Autoscaler(config, { provider, logger: log.logger });
  const servers = config.pools.map((pool) => {
    const s = new DropletServers({
      fake,
      cluster: prefix,
      prefix,
      redisUrl: redisUrl(),
      pool: pool.name,
      queues: pool.queues,
      slots: pool.slotsPerServer,
      activeAfterMs,
      onlyTagged: `bullmq-autoscaler-pool-${pool.name}`,
    });
    s.start();
    return s;
  });
  const queues = new Map(
    config.pools
      .flatMap((p) => p.queues)
      .map((q) => [q, new Queue(q, { connection: { url: redisUrl() }, prefix })]),
  );
  const redis = new Redis(redisUrl());
  cleanups.push(async () => {
    await scaler.close();
    for (const s of servers) await s.stop();
    for (const q of queues.values()) await q.close();
    await fake.close();
    await deletePrefix(redisUrl(), prefix);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });
  return { prefix, fake, snapshots, scaler, log, queues, redis };
}

describe('server types on the DigitalOcean provider (fake API, real workers)', () => {
  it('gives each pool droplets of its own type, and moves creates to the next region when one has no room', async () => {
    const w = await world({
      // The small size is not offered in ams3: DigitalOcean answers 422 "Size is not available in this region".
      provider: {
        region: undefined,
        regions: ['ams3', 'fra1'],
        serverTypes: { big: { size: 's-2vcpu-4gb', regions: ['nyc3'] } },
      },
      pools: [
        { name: 'emails', queues: ['emails'], slotsPerServer: 2, maxServers: 2, bootSeconds: 1 },
        {
          name: 'reports',
          queues: ['reports'],
          slotsPerServer: 2,
          maxServers: 2,
          bootSeconds: 1,
          serverType: 'big',
        },
      ],
    });
    for (const q of ['emails', 'reports'])
      await w.queues.get(q)?.addBulk(Array.from({ length: 6 }, () => ({ name: 'job', data: { ms: 300 } })));
    await w.scaler.start();
    await waitFor('both pools to have a ready server', async () => {
      const ready = (await w.scaler.servers()).filter((s) => s.state === 'ready');
      return ready.some((s) => s.pool === 'emails') && ready.some((s) => s.pool === 'reports');
    });
    const droplets = [...w.fake.droplets.values()].filter((d) =>
      d.tags.includes(`bullmq-autoscaler-${w.prefix}`),
    );
    const of = (pool: string) => droplets.filter((d) => d.tags.includes(`bullmq-autoscaler-pool-${pool}`));
    expect(of('emails').map((d) => [d.sizeSlug, d.region])).toEqual(
      of('emails').map(() => ['s-1vcpu-1gb', 'fra1']),
    );
    expect(of('reports').map((d) => [d.sizeSlug, d.region])).toEqual(
      of('reports').map(() => ['s-2vcpu-4gb', 'nyc3']),
    );
    // ams3 refused once, then cooled off: later creates of the size went straight to fra1.
    const posts = w.fake.requestsTo('POST', '/v2/droplets').map((r) => (r.body as { region: string }).region);
    expect(posts.filter((r) => r === 'ams3')).toHaveLength(1);
    const records = await w.scaler.servers();
    const emails = records.find((r) => r.pool === 'emails' && r.state === 'ready');
    expect(emails).toMatchObject({
      type: 'default',
      region: 'fra1',
      image: expect.stringMatching(/^snapshot 1002, s-1vcpu-1gb/),
    });
    expect(records.find((r) => r.pool === 'reports')).toMatchObject({ type: 'big', region: 'nyc3' });
    expect(w.log.events('circuit.open')).toEqual([]);
    expect(w.log.events('provider.error')).toEqual([]);
  });

  it('rolls a new snapshot of the same name through a busy pool: no job lost or run twice, never more than maxSurge extra', async () => {
    const targetWaitMs = 10_000;
    const w = await world({
      pools: [
        {
          name: 'main',
          queues: ['work'],
          slotsPerServer: 2,
          minServers: 3,
          maxServers: 6,
          maxSurge: 1,
          bootSeconds: 1,
          targetWaitMs,
          scaleDownDelayMs: 5_000,
        },
      ],
    });
    await w.scaler.start();
    const queue = w.queues.get('work');
    if (!queue) throw new Error('no queue');
    const ready = () => w.scaler.servers().then((all) => all.filter((s) => s.state === 'ready'));
    await waitFor('three servers on the first snapshot', async () => (await ready()).length === 3, 60_000);

    // A steady trickle of jobs for the whole rollout: the pool is busy while it is replaced.
    let added = 0;
    const producer = setInterval(() => {
      added++;
      void queue.add('job', { ms: 400 });
    }, 150);
    let peak = 0;
    const watch = setInterval(() => {
      void w.scaler.servers().then((all) => {
        peak = Math.max(
          peak,
          all.filter((s) => s.pool === 'main' && capacityStates.includes(s.state)).length,
        );
      });
    }, 50);
    cleanups.push(async () => {
      clearInterval(producer);
      clearInterval(watch);
    });

    w.snapshots.push({
      id: 1004,
      name: 'worker-base',
      regions: ['nyc3', 'fra1'],
      createdAt: '2026-03-01T00:00:00Z',
    });
    await waitFor(
      'the rollout to complete',
      async () => w.log.events('rollout.completed').length > 0,
      120_000,
    );
    clearInterval(producer);
    const images = (await ready()).map((s) => s.image);
    expect(images.every((image) => image?.startsWith('snapshot 1004,'))).toBe(true);
    expect(w.log.events('rollout.started')[0]).toMatchObject({
      pool: 'main',
      outdated: 3,
      reason: 'new image',
    });
    expect(w.log.events('rollout.completed')[0]).toMatchObject({ pool: 'main', replaced: 3 });

    const runsKey = `${w.prefix}:test:runs`;
    await waitFor('every job to have run', async () => (await w.redis.hlen(runsKey)) === added, 60_000);
    clearInterval(watch);
    const runs = Object.values(await w.redis.hgetall(runsKey));
    expect(runs.filter((n) => n !== '1')).toEqual([]);
    expect(await queue.getFailedCount()).toBe(0);
    expect(peak).toBeLessThanOrEqual(3 + 1);
    const done = await queue.getCompleted(0, -1);
    const waits = done.map((j) => (j.processedOn ?? 0) - j.timestamp);
    expect(Math.max(...waits)).toBeLessThan(targetWaitMs);
    // Every old server was drained (the last may still be finishing its jobs when the rollout ends).
    await waitFor('the old servers to be drained', async () => w.log.events('server.drained').length >= 3);
    expect(w.log.events('server.failed')).toEqual([]);
  });
});
