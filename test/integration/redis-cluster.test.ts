import { Queue } from 'bullmq';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, type RedisClient } from '../../src/base/redis-connection.ts';
import { connectRedis } from '../../src/cli/context.ts';
import { keySlot } from '../../src/sampler/key-slot.ts';
import { queueActivity } from '../../src/sampler/queue-activity.ts';
import { QueueSampler } from '../../src/sampler/queue-sampler.ts';
import { deletePrefix, uniquePrefix } from '../helpers/redis.ts';
import { type LocalRedisCluster, startRedisCluster } from '../helpers/redis-cluster.ts';
import { freePorts } from '../helpers/redis-processes.ts';
import { scaleCycle } from '../helpers/scale-cycle.ts';

/*
 * A real Redis Cluster of three masters: the sampler spreads its scripts over slots and nodes, the
 * scaler and its servers run a whole cycle on it.
 */
let cluster: LocalRedisCluster;
let redis: RedisClient;

beforeAll(async () => {
  cluster = await startRedisCluster();
  redis = createRedisClient(cluster.connection, { maxRetriesPerRequest: 1 });
}, 60_000);

afterAll(async () => {
  await redis?.quit();
  await cluster?.stop();
});

/** Script calls each master ran so far, from its own statistics. */
function scriptCalls(): number[] {
  return cluster.ports.map((port) => {
    const line =
      cluster.cli(['info', 'commandstats'], port).match(/cmdstat_(?:evalsha|eval):calls=(\d+)/g) ?? [];
    return line.reduce((sum, l) => sum + Number(l.split('=')[1]), 0);
  });
}

describe('the sampler on a Redis Cluster', () => {
  it('samples queues spread over slots, one script per slot, every node asked', async () => {
    const prefix = uniquePrefix('cluster-sampler');
    const names = Array.from({ length: 40 }, (_, i) => `{cq-${i}}`);
    try {
      for (const [i, name] of names.entries()) {
        const queue = new Queue(name, { connection: redis, prefix });
        for (let j = 0; j < i % 3; j++) await queue.add('job', {});
        await queue.close();
      }
      const sampler = new QueueSampler(redis, prefix);
      await sampler.sample(names, Date.now()); // loads the script on every node
      const before = scriptCalls();
      const round = await sampler.sample(names, Date.now());
      const calls = scriptCalls().map((n, i) => n - (before[i] ?? 0));
      expect(round.failures).toEqual([]);
      expect(round.samples.map((s) => s.queue)).toEqual(names);
      expect(round.samples.map((s) => s.waiting)).toEqual(names.map((_, i) => i % 3));
      const slots = new Set(names.map((n) => keySlot(`${prefix}:${n}:meta`)));
      expect(calls.reduce((a, b) => a + b, 0)).toBe(slots.size);
      expect(calls.every((n) => n > 0)).toBe(true);
    } finally {
      await deletePrefix(cluster.connection, prefix);
    }
  });

  it('a wrong-typed key fails its queue alone, on whichever node it lives', async () => {
    const prefix = uniquePrefix('cluster-garbage');
    const names = ['{g-1}', '{g-2}', '{g-3}', '{g-4}'];
    try {
      await redis.set(`${prefix}:{g-3}:wait`, 'garbage');
      await redis.lpush(`${prefix}:{g-1}:wait`, 'x');
      const round = await new QueueSampler(redis, prefix).sample(names, Date.now());
      expect(round.failures).toEqual([{ queue: '{g-3}', error: expect.stringMatching(/^WRONGTYPE/) }]);
      expect(round.samples.map((s) => [s.queue, s.waiting])).toEqual([
        ['{g-1}', 1],
        ['{g-2}', 0],
        ['{g-4}', 0],
      ]);
    } finally {
      await deletePrefix(cluster.connection, prefix);
    }
  });

  it("the status page's queue activity reads queues on every node", async () => {
    const prefix = uniquePrefix('cluster-activity');
    const names = Array.from({ length: 12 }, (_, i) => `{act-${i}}`);
    try {
      for (const [i, name] of names.entries()) {
        const queue = new Queue(name, { connection: redis, prefix });
        for (let j = 0; j < i % 4; j++) await queue.add('later', {}, { delay: 3_600_000 });
        await queue.close();
      }
      const activity = await queueActivity(redis, prefix, names, Date.now());
      expect(activity.map((a) => a.upcomingDelayed)).toEqual(names.map((_, i) => i % 4));
    } finally {
      await deletePrefix(cluster.connection, prefix);
    }
  });

  it('the hash slots it computes are the ones Redis uses', async () => {
    const keys = [
      'bull:{orders}:wait',
      'plain',
      '{}x',
      'a{b}c{d}',
      'ünïcode:{q}',
      '{bull}:autoscaler:{c}:lease',
    ];
    for (const key of keys) expect(keySlot(key)).toBe(await (redis as Cluster).cluster('KEYSLOT', key));
  });
});

describe('the CLI on a Redis Cluster', () => {
  it('connects through the Cluster, and names the field and the nodes (no secret) when none answers', async () => {
    const client = await connectRedis(cluster.connection);
    expect(await client.ping()).toBe('PONG');
    await client.quit();
    const [free] = await freePorts(1);
    const nowhere = { cluster: { nodes: [{ host: '127.0.0.1', port: free ?? 1 }] }, password: 'hunter2' };
    const error = await connectRedis(nowhere).catch((e: unknown) => e);
    expect(String(error)).toMatch(
      new RegExp(
        `^UsageError: redis\\.cluster: no Redis answers at Redis Cluster via 127\\.0\\.0\\.1:${free}`,
      ),
    );
    expect(String(error)).not.toContain('hunter2');
  });
});

describe('the scaler and its servers on a Redis Cluster', () => {
  it('scales up for a backlog, runs every job once on workers connected to the Cluster, and back to zero', async () => {
    const lines = await scaleCycle('cluster-cycle', cluster.connection);
    expect(lines.filter((l) => l.event === 'sample.failed' || l.event === 'tick.failed')).toEqual([]);
  }, 180_000);

  it('with the hash tags in the queue names instead: queues on different nodes, a tagged provisioning queue', async () => {
    const lines = await scaleCycle('cluster-tagged', cluster.connection, { queues: ['{alpha}', '{beta}'] });
    expect(keySlot('x:{alpha}:wait')).not.toBe(keySlot('x:{beta}:wait'));
    expect(lines.filter((l) => l.event === 'sample.failed' || l.event === 'tick.failed')).toEqual([]);
    expect(lines.filter((l) => l.event === 'server.created').length).toBeGreaterThan(0);
  }, 180_000);
});
