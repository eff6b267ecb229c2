import { OwnRedis } from '../helpers/own-redis.ts';
import { uniquePrefix, waitFor } from '../helpers/redis.ts';
import { checkInvariants, type Measured, measure } from './invariants.ts';
import { seededRandom } from './rng.ts';
import { inProcessScaler, processScaler, type ScalerDriver } from './scaler-driver.ts';
import type { Scenario } from './scenarios.ts';
import { World } from './world.ts';

/** From the last job finishing to an empty fleet (no record, no droplet); see docs/reliability.md. */
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
  const own = s.redisRestart ? await OwnRedis.start() : undefined;
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
    const jobs = s.jobs + (await doDamage(s, world, scaler, random, own));
    const workDoneAt = await waitFor(
      `every job finished (seed ${seed})`,
      () => finished(world, jobs),
      workBoundMs,
    );
    const zeroAt = await waitFor(
      `an empty fleet (seed ${seed})`,
      async () =>
        (await world.store.list()).length === 0 && world.ownedDroplets().length === 0
          ? Date.now()
          : undefined,
      convergeBoundMs,
    ).catch(() => Number.POSITIVE_INFINITY);
    const measured = await measure(world, { jobs, startedAt, workDoneAt, zeroAt, scalerKills: scaler.kills });
    return { scenario: s.name, seed, ...measured, violations: checkInvariants(s, measured, convergeBoundMs) };
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

/** Does the scenario's damage while the work runs; returns how many jobs it added on the way. */
async function doDamage(
  s: Scenario,
  world: World,
  scaler: ScalerDriver,
  random: () => number,
  own: OwnRedis | undefined,
): Promise<number> {
  let added = 0;
  for (let kill = 0; kill < s.scalerKills; kill++) {
    // A fresh wave now and then, so kills keep landing in scale-ups, not only in an idle fleet.
    if (kill > 0 && kill % 10 === 0) {
      await addJobs(world, waveJobs, s.jobMs);
      added += waveJobs;
    }
    // Kills land while it leads (creating, draining, destroying), not only while it boots.
    await scaler.leading(15_000);
    await sleep(random() * 2_500);
    await scaler.killAndRestart();
  }
  // Crashes stop once the work is done: with no busy server left there is nothing to crash.
  const workLeft = async () => (await finished(world, s.jobs + added)) === undefined;
  for (let crashed = 0; crashed < s.workerCrashes && (await workLeft()); ) {
    await sleep(400 + random() * 600);
    if (await crashBusyServer(world, random)) crashed++;
  }
  if (own !== undefined) await restartRedis(world, own);
  return added;
}

/** SIGKILLs the worker of a server whose last heartbeat said it was running jobs. */
async function crashBusyServer(world: World, random: () => number): Promise<boolean> {
  const beats = await world.store.heartbeats(world.servers.running());
  const busy = [...beats].filter(([, beat]) => beat.activeJobs > 0).map(([id]) => id);
  const victim = busy[Math.floor(random() * busy.length)];
  return victim !== undefined && world.servers.crash(victim);
}

async function restartRedis(world: World, own: OwnRedis): Promise<void> {
  await waitFor('a ready server before Redis goes away', async () =>
    (await world.store.list()).some((r) => r.state === 'ready'),
  );
  await own.stop();
  await sleep(1_500);
  await own.restart();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
