import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisClient, type RedisClient } from '../../src/base/redis-connection.ts';
import { scalerKeys } from '../../src/base/redis-keys.ts';
import { LeaderLease } from '../../src/fleet/leader-lease.ts';
import { QueueSampler } from '../../src/sampler/queue-sampler.ts';
import { uniquePrefix, waitFor } from '../helpers/redis.ts';
import { type LocalSentinelSet, startSentinelSet } from '../helpers/redis-sentinel.ts';
import { scaleCycle } from '../helpers/scale-cycle.ts';

/*
 * A real Sentinel set (master, two replicas, three Sentinels): the scaler, its sampler and its
 * servers run on it, and the leader lease is checked across a failover with and without WAIT.
 */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sentinelSet(): Promise<LocalSentinelSet> {
  const set = await startSentinelSet();
  cleanups.push(() => set.stop());
  return set;
}

function client(set: LocalSentinelSet): RedisClient {
  const redis = createRedisClient(set.connection, { maxRetriesPerRequest: null });
  redis.on('error', () => {});
  cleanups.push(async () => {
    redis.disconnect();
  });
  return redis;
}

function lease(redis: RedisClient, instance: string, replicas: number): LeaderLease {
  const keys = scalerKeys({ prefix: 'lease-test', cluster: 'c' });
  return new LeaderLease(redis, keys, instance, 30_000, { replicas, timeoutMs: 300 });
}

/**
 * Makes the master's next writes miss every replica, as replication lagging behind under load
 * does: frozen replicas stop reading, a burst of writes fills the sockets, and the master drops the
 * replicas once their output buffer passes a tiny limit. What it writes next only it holds.
 */
async function cutReplication(set: LocalSentinelSet, redis: RedisClient): Promise<void> {
  set.cli(set.masterPort(), ['config', 'set', 'client-output-buffer-limit', 'replica 1mb 1mb 0']);
  set.freezeReplicas(true);
  const junk = 'x'.repeat(4 * 1024 * 1024);
  for (
    let i = 0;
    i < 8 && /connected_slaves:[1-9]/.test(set.cli(set.masterPort(), ['info', 'replication']));
    i++
  )
    await redis.set(`junk-${i}`, junk);
  expect(set.cli(set.masterPort(), ['info', 'replication'])).toMatch(/connected_slaves:0/);
}

describe('Sentinel: the leader lease across a failover', () => {
  it('without WAIT, a lease lost in the failover lets a second scaler lead beside the first (the risk)', async () => {
    const set = await sentinelSet();
    const redis = client(set);
    const a = lease(redis, 'a', 0);
    await cutReplication(set, redis);
    expect(await a.acquireOrRenew()).toBe(true); // granted by the master alone
    await set.failOver(() => set.freezeReplicas(false));
    const b = lease(client(set), 'b', 0);
    // The promoted replica never saw a's lease: b takes it while a still believes it leads.
    expect(await b.acquireOrRenew()).toBe(true);
    expect(a.value).toBeDefined();
    expect(b.value).toBeDefined();
  }, 90_000);

  it('with WAIT, a lease no replica confirmed is not acted on, and is given back', async () => {
    const set = await sentinelSet();
    const redis = client(set);
    const a = lease(redis, 'a', 1);
    await cutReplication(set, redis);
    expect(await a.acquireOrRenew()).toBe(false);
    expect(a.refusal).toMatch(/not confirmed by 1 replica/);
    expect(await redis.exists(scalerKeys({ prefix: 'lease-test', cluster: 'c' }).lease)).toBe(0);
    // Once a replica follows again, the same scaler gets the lease confirmed.
    set.cli(set.masterPort(), ['config', 'set', 'client-output-buffer-limit', 'replica 256mb 64mb 60']);
    set.freezeReplicas(false);
    await waitFor('a replica to follow the master again', async () =>
      /slave\d+:.*state=online/.test(set.cli(set.masterPort(), ['info', 'replication'])),
    );
    // A replica back online acknowledges within the wait; on a busy machine give it a few tries.
    await waitFor('the lease to be confirmed again', () => a.acquireOrRenew(), 20_000);
  }, 90_000);

  it('with WAIT, a confirmed lease survives the failover: nobody else takes it, its holder renews it', async () => {
    const set = await sentinelSet();
    const a = lease(client(set), 'a', 1);
    expect(await a.acquireOrRenew()).toBe(true);
    const fence = a.value;
    await set.failOver();
    const b = lease(client(set), 'b', 1);
    expect(await b.acquireOrRenew()).toBe(false);
    expect(await a.acquireOrRenew()).toBe(true);
    expect(a.value).toBe(fence);
    // Tokens never go back: the next holder's fence is newer than any before the failover.
    await a.release();
    expect(await b.acquireOrRenew()).toBe(true);
    expect(Number(b.value?.split(':')[0])).toBeGreaterThan(Number(fence?.split(':')[0]));
  }, 90_000);
});

describe('Sentinel: the sampler, the scaler and its servers', () => {
  it('samples through the Sentinels, and again from the new master after a failover', async () => {
    const set = await sentinelSet();
    const redis = client(set);
    const prefix = uniquePrefix('sentinel-sampler');
    const queue = new Queue('jobs', { connection: redis, prefix });
    await queue.addBulk(Array.from({ length: 5 }, () => ({ name: 'job', data: {} })));
    await queue.close();
    const sampler = new QueueSampler(redis, prefix);
    expect((await sampler.sample(['jobs'], Date.now())).samples[0]?.waiting).toBe(5);
    await set.failOver();
    expect((await sampler.sample(['jobs'], Date.now())).samples[0]?.waiting).toBe(5);
  }, 90_000);

  it('scales up for a backlog, runs every job once on workers connected through the Sentinels, and back to zero', async () => {
    const set = await sentinelSet();
    await scaleCycle('sentinel-cycle', set.connection);
  }, 180_000);

  it('chaos: the master fails over mid-run: no job lost, no server run twice, scaling resumes', async () => {
    const set = await sentinelSet();
    let failedOverAtMs = 0;
    let ranBefore = 0;
    const lines = await scaleCycle('sentinel-chaos', set.connection, {
      jobsPerQueue: 60,
      jobMs: 300,
      meanwhile: async (jobsRun) => {
        ranBefore = await jobsRun();
        await set.failOver();
        failedOverAtMs = Date.now();
      },
    });
    // Mid-run: most of the backlog was still ahead when the master died.
    expect(ranBefore).toBeGreaterThan(0);
    expect(ranBefore).toBeLessThan(120 / 2);
    // The scaler kept deciding after the failover, down to zero.
    const after = lines.filter((l) => l.event === 'decision' && Number(l.time) > failedOverAtMs);
    expect(after.at(-1)).toMatchObject({ desired: 0 });
  }, 240_000);
});
