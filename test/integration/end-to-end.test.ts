import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { Autoscaler } from '../../src/index.ts';
import { captureLog, type LogLine } from '../helpers/capture-log.ts';
import { localCluster } from '../helpers/local-cluster.ts';
import { waitFor } from '../helpers/redis.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function eventOrder(lines: LogLine[], serverId: string): string[] {
  return lines
    .filter((l) => l.serverId === serverId && typeof l.event === 'string')
    .map((l) => String(l.event));
}

describe('the whole loop on the local-process provider', () => {
  it('scales from zero for a backlog, runs every job once, drains, and returns to zero', async () => {
    const cluster = localCluster('e2e', 'test/helpers/recording-worker.ts', {
      queues: ['alpha', 'beta'],
      slotsPerServer: 4,
      maxServers: 4,
      scaleDownDelayMs: 2_000,
      idleToZeroMs: 3_000,
    });
    cleanups.push(() => cluster.cleanup());
    const { url, prefix, config } = cluster;
    const log = captureLog();
    const scaler = new Autoscaler(config, { logger: log.logger });
    cleanups.push(() => scaler.close());
    const queues = ['alpha', 'beta'].map((name) => cluster.queue(name));

    for (const [i, queue] of queues.entries()) {
      await queue.addBulk(
        Array.from({ length: 100 }, (_, j) => ({ name: 'job', data: { ms: 50 + ((i + j) % 5) * 20 } })),
      );
    }
    await scaler.tick();
    await scaler.tick();
    expect(log.events('server.requested').length).toBeGreaterThan(0);
    expect(log.events('decision')[0]).toMatchObject({ pool: 'main', backlog: 200, current: 0 });

    await scaler.start();
    const redis = new Redis(url);
    cleanups.push(async () => {
      await redis.quit();
    });
    const runs = await waitFor('all 200 jobs to run', async () => {
      const counts = await redis.hgetall(`${prefix}:test:runs`);
      return Object.keys(counts).length === 200 ? counts : undefined;
    });
    expect(Object.values(runs).every((n) => n === '1')).toBe(true);
    await waitFor(
      'the fleet to return to zero',
      async () => (await scaler.servers()).length === 0,
      120_000,
    ).catch(async (error: unknown) => {
      // What held the fleet up, for whoever reads a red run.
      console.error(
        JSON.stringify(await scaler.servers(), null, 1),
        log.lines.slice(-20).map((l) => [l.event, l.serverId, l.reason]),
      );
      throw error;
    });
    await scaler.close();

    const completed = await Promise.all(
      queues.map((q) => q.getJobCounts('completed', 'failed', 'active', 'wait')),
    );
    expect(completed).toEqual([
      { completed: 100, failed: 0, active: 0, wait: 0 },
      { completed: 100, failed: 0, active: 0, wait: 0 },
    ]);

    const lifecycle = [
      'server.requested',
      'server.created',
      'server.ready',
      'server.draining',
      'server.drained',
      'server.deleting',
      'server.deleted',
    ];
    const requested = log.events('server.requested').map((l) => String(l.serverId));
    for (const serverId of requested) {
      const order = eventOrder(log.lines, serverId);
      // A server still booting when the backlog is gone is drained without ever becoming ready.
      expect(order).toEqual(
        order.includes('server.ready') ? lifecycle : lifecycle.filter((e) => e !== 'server.ready'),
      );
    }
    expect(log.events('server.ready').length).toBeGreaterThan(0);
    // tick() then start() is one scaler with one lease term, not two fenced against each other.
    expect(log.events('leader.acquired')).toHaveLength(1);
    expect(log.events('leader.lost')).toEqual([]);
    expect(log.events('decision').at(-1)).toMatchObject({ desired: 0, backlog: 0 });
    // No server was stopped while one of its jobs was active: every job ended before its server drained.
    const spans = (await redis.lrange(`${prefix}:test:spans`, 0, -1)).map(
      (s) => JSON.parse(s) as { server: string; endedAtMs: number },
    );
    const drainedAt = new Map(log.events('server.drained').map((l) => [String(l.serverId), Number(l.time)]));
    for (const span of spans) expect(span.endedAtMs).toBeLessThanOrEqual(drainedAt.get(span.server) ?? 0);
    expect(spans).toHaveLength(200);
  });
});
