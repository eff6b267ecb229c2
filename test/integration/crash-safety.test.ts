import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { ownerTagOf } from '../../providers/provider.ts';
import { seededRandom } from '../chaos/rng.ts';
import { localCluster } from '../helpers/local-cluster.ts';
import { waitFor } from '../helpers/redis.ts';
import { ScalerProcess } from '../helpers/scaler-process.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  if (process.env.KEEP_STATE) return;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function crashCluster(label: string) {
  const cluster = localCluster(
    label,
    'test/helpers/recording-worker.ts',
    { slotsPerServer: 2, maxServers: 3, scaleDownDelayMs: 1_000, idleToZeroMs: 1_500 },
    { lifecycle: { leaseTtlMs: 1_000, orphanGraceMs: 1_000, reconcileEveryTicks: 5, stalledCheckMs: 500 } },
  );
  cleanups.push(() => cluster.cleanup());
  const redis = new Redis(cluster.url);
  cleanups.push(async () => {
    await redis.quit();
  });
  const scalers: ScalerProcess[] = [];
  cleanups.push(async () => {
    await Promise.all(scalers.map((s) => s.kill('SIGKILL')));
  });
  const startScaler = () => {
    const scaler = new ScalerProcess(cluster.configFile(), { REDIS_URL: cluster.url });
    scalers.push(scaler);
    return scaler;
  };
  /** The invariants that must hold once the fleet has settled. */
  const settled = async (jobs: number) => {
    const runs = await redis.hgetall(`${cluster.prefix}:test:runs`);
    // One entry per server process: a server id twice means two processes for one server.
    const starts = (await redis.smembers(`${cluster.prefix}:test:starts`)).map((s) => s.split(':')[0] ?? s);
    const records = await redis.smembers(`${cluster.prefix}:autoscaler:{${cluster.prefix}}:servers`);
    const provider = await cluster.provider.list(ownerTagOf(cluster.prefix));
    return { runs, starts, records, provider, jobs };
  };
  return { cluster, redis, startScaler, settled, scalers };
}

describe('crash safety', () => {
  it('a scaler SIGKILLed at 20 random points and restarted leaves no duplicate, no orphan, no lost job', async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
    const next = seededRandom(seed);
    const { cluster, startScaler, settled } = crashCluster('sigkill');
    const queue = cluster.queue('alpha');
    let jobs = 0;
    for (let kill = 0; kill < 20; kill++) {
      if (kill % 7 === 0) {
        await queue.addBulk(Array.from({ length: 40 }, () => ({ name: 'job', data: { ms: 150 } })));
        jobs += 40;
      }
      const scaler = startScaler();
      await new Promise((resolve) => setTimeout(resolve, 300 + next() * 2_200));
      await scaler.kill('SIGKILL');
    }
    startScaler();
    const end = await waitFor(
      `every job done and the fleet back to zero (seed ${seed})`,
      async () => {
        const state = await settled(jobs);
        const done = Object.keys(state.runs).length === jobs;
        return done && state.records.length === 0 && state.provider.length === 0 ? state : undefined;
      },
      90_000,
    );
    expect(
      Object.values(end.runs).every((n) => n === '1'),
      `a job ran twice (seed ${seed})`,
    ).toBe(true);
    const twice = end.starts.filter((id, i) => end.starts.indexOf(id) !== i);
    expect(twice, `servers started twice (seed ${seed})`).toEqual([]);
    expect(await queue.getJobCounts('completed', 'failed')).toEqual({ completed: jobs, failed: 0 });
  });

  it('two scalers at once make the fleet of one, and the standby leads within the lease TTL after the leader dies', async () => {
    const { cluster, startScaler, settled } = crashCluster('two');
    const queue = cluster.queue('alpha');
    await queue.addBulk(Array.from({ length: 60 }, () => ({ name: 'job', data: { ms: 300 } })));
    const a = startScaler();
    const b = startScaler();
    await waitFor('the fleet to reach its maximum', async () =>
      a.named('server.requested').length + b.named('server.requested').length >= 3 ? true : undefined,
    );
    const leaders = [a, b].filter((s) => s.named('leader.acquired').length > 0);
    expect(leaders).toHaveLength(1);
    const [leader] = leaders;
    const standby = leader === a ? b : a;
    if (leader === undefined) throw new Error('no leader');
    expect(standby.named('server.requested')).toHaveLength(0);

    const killedAt = Date.now();
    await leader.kill('SIGKILL');
    const took = await waitFor('the standby to take over', async () => standby.named('leader.acquired')[0]);
    // Lease TTL (1 s) + one tick (0.2 s), with room for a loaded 2-core machine.
    expect(Number(took.time) - killedAt).toBeLessThan(1_000 + 200 + 1_500);

    const end = await waitFor('the work done and the fleet back to zero', async () => {
      const state = await settled(60);
      return Object.keys(state.runs).length === 60 &&
        state.records.length === 0 &&
        state.provider.length === 0
        ? state
        : undefined;
    });
    expect(new Set(end.starts).size).toBe(end.starts.length);
    expect(end.starts.length).toBeLessThanOrEqual(3 + standby.named('server.requested').length);
  });
});
