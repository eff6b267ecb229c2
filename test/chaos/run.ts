import { OwnRedis } from '../helpers/own-redis.ts';
import { uniquePrefix, waitFor } from '../helpers/redis.ts';
import { checkInvariants, type Measured } from './invariants.ts';
import { measure } from './measure.ts';
import { seededRandom } from './rng.ts';
import { inProcessScaler, processScaler, type ScalerDriver } from './scaler-driver.ts';
import type { Scenario } from './scenarios.ts';
import { requestsPerMinute, World } from './world.ts';

/** From the last job's finishedOn to an empty fleet (no record, no droplet); see docs/reliability.md. */
export const convergeBoundMs = 45_000;
/** A run whose jobs are not all finished by then has lost them. */
const workBoundMs = 180_000;
const waveJobs = 20;

export interface RunResult extends Measured {
  scenario: string;
  seed: number;
  violations: string[];
}

/**
 * One run of a scenario: build the world, start the scaler, add the jobs, do the damage while the
 * work goes on, wait for the work and for the fleet to return to zero, then check the invariants.
 */
export async function runScenario(s: Scenario, redisUrl: string, seed: number): Promise<RunResult> {
  const random = seededRandom(seed);
  const own = s.redisDownMs > 0 ? await OwnRedis.start() : undefined;
  const url = own?.url ?? redisUrl;
  const world = await World.create({
    // Cluster names stay within 31 characters: test-<label>-<8 hex>.
    prefix: uniquePrefix(s.name.slice(0, 12)),
    redisUrl: url,
    random,
    faults: s.faults,
    neverActiveShare: s.neverActiveShare,
    lifecycle: s.lifecycle,
  });
  let scaler: ScalerDriver | undefined;
  try {
    const startedAt = Date.now();
    scaler = s.scalerKills > 0 ? processScaler(world) : await inProcessScaler(world);
    await addJobs(world, s.jobs, s.jobMs);
    const damage = await doDamage(s, world, scaler, random, own);
    const jobs = s.jobs + damage.added;
    await waitFor(`every job finished (seed ${seed})`, () => finished(world, jobs), workBoundMs);
    const zeroAt = await waitFor(
      `an empty fleet (seed ${seed})`,
      async () =>
        (await world.store.list()).length === 0 && world.ownedDroplets().length === 0
          ? Date.now()
          : undefined,
      convergeBoundMs,
    ).catch(() => Number.POSITIVE_INFINITY);
    const measured = await measure(world, {
      jobs,
      startedAt,
      zeroAt,
      scalerKills: scaler.kills,
      outages: damage.outages,
    });
    const planned = { ...s, requestsPerMinute, convergeBoundMs };
    return { scenario: s.name, seed, ...measured, violations: checkInvariants(planned, measured) };
  } finally {
    await scaler?.stop();
    await world.close();
    await own?.remove();
  }
}

async function finished(world: World, jobs: number): Promise<number | undefined> {
  const counts = await world.queue.getJobCounts('completed', 'failed');
  return (counts.completed ?? 0) + (counts.failed ?? 0) >= jobs ? Date.now() : undefined;
}

/** BullMQ attempts on every job: a job fails only once they, or its stall allowance, are spent. */
async function addJobs(world: World, count: number, ms: number): Promise<void> {
  await world.queue.addBulk(
    Array.from({ length: count }, () => ({ name: 'job', data: { ms }, opts: { attempts: 3 } })),
  );
}

interface Damage {
  /** Jobs added on the way. */
  added: number;
  /** When Redis was down. */
  outages: { fromMs: number; toMs: number }[];
}

/**
 * Does the scenario's damage while the work runs: scaler kills and worker crashes side by side
 * (crashes after the kills would find the work done and nothing busy to crash), then the outage.
 */
async function doDamage(
  s: Scenario,
  world: World,
  scaler: ScalerDriver,
  random: () => number,
  own: OwnRedis | undefined,
): Promise<Damage> {
  const damage: Damage = { added: 0, outages: [] };
  const kills = async () => {
    for (let kill = 0; kill < s.scalerKills; kill++) {
      // A fresh wave now and then, so kills keep landing in scale-ups, not only in an idle fleet.
      if (kill > 0 && kill % 10 === 0) {
        await addJobs(world, waveJobs, s.jobMs);
        damage.added += waveJobs;
      }
      // Kills land while it leads (creating, draining, destroying), not only while it boots.
      await scaler.leading(15_000);
      await sleep(random() * 2_500);
      await scaler.killAndRestart();
    }
  };
  const crashes = async () => {
    // Crashes stop once the work is done: with no busy server left there is nothing to crash.
    const workLeft = async () => (await finished(world, s.jobs + damage.added)) === undefined;
    for (let crashed = 0; crashed < s.workerCrashes && (await workLeft()); ) {
      await sleep(400 + random() * 600);
      if (await crashBusyServer(world, random)) crashed++;
    }
  };
  await Promise.all([kills(), crashes()]);
  if (own !== undefined) damage.outages.push(await stopRedis(world, own, s.redisDownMs));
  return damage;
}

/** SIGKILLs the worker of a server whose last heartbeat said it was running jobs. */
async function crashBusyServer(world: World, random: () => number): Promise<boolean> {
  const beats = await world.store.heartbeats(world.servers.running());
  const busy = [...beats].filter(([, beat]) => beat.activeJobs > 0).map(([id]) => id);
  const victim = busy[Math.floor(random() * busy.length)];
  return victim !== undefined && world.servers.crash(victim);
}

/** Stops Redis while servers are ready and busy, then restarts it from its append-only file. */
async function stopRedis(
  world: World,
  own: OwnRedis,
  downMs: number,
): Promise<{ fromMs: number; toMs: number }> {
  await waitFor('a ready, busy server before Redis goes away', async () => {
    const ready = (await world.store.list()).some((r) => r.state === 'ready');
    return ready && (await world.queue.getActiveCount()) > 0;
  });
  const fromMs = Date.now();
  await own.stop();
  await sleep(downMs);
  await own.restart();
  return { fromMs, toMs: Date.now() };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
