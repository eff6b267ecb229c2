import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ownerTagOf } from '../../providers/provider.ts';
import { Autoscaler } from '../../src/index.ts';
import { DropletServers } from '../chaos/droplet-servers.ts';
import { FakeDigitalOcean } from '../fakes/digitalocean-api.ts';
import { captureLog } from '../helpers/capture-log.ts';
import { deletePrefix, redisUrl, uniquePrefix, waitFor } from '../helpers/redis.ts';

/*
 * The scaler with its real DigitalOcean provider against an API that allows 30 requests a
 * minute (DigitalOcean's burst limit, scaled down), with the provider's default budget of 200:
 * the budget must come down to the API's rate after the first 429s instead of storming it, and
 * idle droplets must still be destroyed. Droplets run real worker processes (DropletServers).
 */
const runtimeMs = 3_000;
const slots = 2;
const bursts = [60, 40];
const activeAfterMs = 300;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  vi.unstubAllEnvs();
});

/** Droplet-seconds of every droplet the scaler owned, from creation to destruction (or now). */
function serverSeconds(fake: FakeDigitalOcean, cluster: string): number {
  const owner = ownerTagOf(cluster);
  const now = Date.now();
  const gone = fake.destroyed.filter((d) => d.droplet.tags.includes(owner));
  const live = [...fake.droplets.values()].filter((d) => d.tags.includes(owner));
  const lifetimes = [
    ...gone.map((d) => d.atMs - d.droplet.createdAtMs),
    ...live.map((d) => now - d.createdAtMs),
  ];
  return lifetimes.reduce((sum, ms) => sum + ms, 0) / 1000;
}

describe('a DigitalOcean API limited to 30 requests a minute', () => {
  it('is met without a storm of 429s, and idle droplets still go away', { timeout: 300_000 }, async () => {
    const prefix = uniquePrefix('api30');
    const fake = await new FakeDigitalOcean({
      requestsPerMinute: process.env.API30_UNLIMITED ? undefined : 30,
      dropletLimit: 100,
      activeAfterMs,
    }).start();
    cleanups.push(() => fake.close());
    vi.stubEnv('DIGITALOCEAN_TOKEN', fake.token);
    const dir = mkdtempSync(join(tmpdir(), 'api30-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const userDataFile = join(dir, 'user-data.sh');
    writeFileSync(userDataFile, '#!/bin/sh\nPOOL={{POOL}}\n');
    const servers = new DropletServers({
      fake,
      cluster: prefix,
      prefix,
      redisUrl: redisUrl(),
      pool: 'main',
      queues: ['jobs'],
      slots,
      activeAfterMs,
    });
    servers.start();
    cleanups.push(() => servers.stop());
    cleanups.push(() => deletePrefix(redisUrl(), prefix));
    const queue = new Queue('jobs', { connection: { url: redisUrl() }, prefix });
    cleanups.push(() => queue.close());

    const log = captureLog();
    const scaler = new Autoscaler(
      {
        cluster: prefix,
        redis: { url: redisUrl(), bullmqPrefix: prefix },
        maxServersTotal: 10,
        // Short deadlines so the run fits in a few minutes; the API budget stays the default. The
        // reconciler lists every tick: 60 lists a minute would take the whole API by themselves.
        lifecycle: {
          bootTimeoutMs: 60_000,
          heartbeatLostMs: 10_000,
          drainTimeoutMs: 10_000,
          reconcileEveryTicks: 1,
        },
        provider: {
          type: 'digitalocean',
          apiUrl: fake.url,
          region: 'nyc3',
          size: 's-1vcpu-1gb',
          snapshot: 'worker-base',
          userDataFile,
        },
        pools: [
          {
            name: 'main',
            queues: ['jobs'],
            slotsPerServer: slots,
            maxServers: 10,
            targetWaitMs: 5_000,
            bootSeconds: 3,
            scaleDownDelayMs: 2_000,
            idleToZeroMs: 3_000,
            defaultRuntimeMs: runtimeMs,
          },
        ],
        log: { level: 'debug', summaryEveryMs: 0 },
      },
      { logger: log.logger },
    );
    cleanups.push(() => scaler.close());
    await scaler.start();

    const startedAt = Date.now();
    let added = 0;
    for (const [i, size] of bursts.entries()) {
      await queue.addBulk(Array.from({ length: size }, () => ({ name: 'job', data: { ms: runtimeMs } })));
      added += size;
      await waitFor(`burst ${i + 1} done`, async () => (await queue.getCompletedCount()) >= added, 180_000);
    }
    await waitFor(
      'every droplet destroyed',
      async () => servers.running().length === 0 && ownedCount(fake, prefix) === 0,
      120_000,
    );

    const limited = fake.rateLimited.length;
    const seconds = serverSeconds(fake, prefix);
    const workBound = (added * runtimeMs) / slots / 1000;
    const figures = {
      runSeconds: Math.round((Date.now() - startedAt) / 1000),
      requests: fake.requests.length,
      answered429: limited,
      droplets: fake.destroyed.length,
      serverSeconds: Math.round(seconds),
      workBoundSeconds: workBound,
      timesWorkBound: Math.round((seconds / workBound) * 100) / 100,
      retries: log.events('provider.retry').length,
    };
    console.log(`[api-rate-limit] ${JSON.stringify(figures)}`);
    if (process.env.API30_DUMP) {
      const { writeFileSync: w } = await import('node:fs');
      w(
        process.env.API30_DUMP,
        JSON.stringify({
          lines: log.lines,
          requests: fake.requests.map((r) => [r.method, r.path]),
          limited: fake.rateLimited.map((r) => [r.method, r.path]),
        }),
      );
    }
    expect(limited).toBeLessThanOrEqual(10);
    expect(seconds).toBeLessThanOrEqual(6 * workBound);
  });
});

function ownedCount(fake: FakeDigitalOcean, cluster: string): number {
  const owner = ownerTagOf(cluster);
  return [...fake.droplets.values()].filter((d) => d.tags.includes(owner)).length;
}
