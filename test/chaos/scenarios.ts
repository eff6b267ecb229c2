import type { AutoscalerConfigInput } from '../../src/config/schema.ts';
import type { ApiFaults } from './chaos-proxy.ts';

export type LifecycleInput = NonNullable<AutoscalerConfigInput['lifecycle']>;

export type ChaosSize = 'short' | 'full';

export interface Scenario {
  name: string;
  /** One line for docs/reliability.md. */
  what: string;
  faults: ApiFaults;
  neverActiveShare: number;
  /** Worker processes SIGKILLed mid-job while their droplet stays up. */
  workerCrashes: number;
  /** Times the scaler process is SIGKILLed at a random point and started again. */
  scalerKills: number;
  /** How long Redis (a private, persistent one) is stopped while servers run jobs; 0: never. */
  redisDownMs: number;
  jobs: number;
  /** How long each job runs. */
  jobMs: number;
  /** Deadlines and lease of this scenario, over the chaos defaults (test/chaos/world.ts). */
  lifecycle: LifecycleInput;
  /** How often the scenario runs, each with its own seed. */
  repeats: number;
}

const calm: Omit<Scenario, 'name' | 'what'> = {
  faults: {},
  neverActiveShare: 0,
  workerCrashes: 0,
  scalerKills: 0,
  redisDownMs: 0,
  jobs: 40,
  jobMs: 300,
  lifecycle: {},
  repeats: 1,
};

/**
 * Every scenario runs the whole system: the Autoscaler with the DigitalOcean provider against the
 * fake API, real Redis, real BullMQ workers for the droplets. The short size is CI's; the full
 * size is `npm run chaos`, whose figures go into docs/reliability.md.
 */
export function scenarios(size: ChaosSize): Scenario[] {
  const full = size === 'full';
  return [
    {
      ...calm,
      name: 'scaler-sigkill',
      what: 'the scaler process SIGKILLed at a seeded random point 0–2.5 s after it takes the lease, and restarted',
      scalerKills: full ? 50 : 5,
      jobs: full ? 120 : 40,
    },
    {
      ...calm,
      name: 'redis-restart',
      what: 'Redis stopped for 1.5 s and restarted while servers run jobs',
      redisDownMs: 1_500,
      repeats: full ? 3 : 1,
    },
    {
      ...calm,
      name: 'redis-outage',
      what: 'Redis stopped for 7 s (over heartbeatLostMs and every heartbeat key’s life) while every server is busy, restarted from its append-only file',
      redisDownMs: 7_000,
      // Long jobs, so every server is busy through the outage.
      jobMs: 1_500,
      repeats: full ? 2 : 1,
    },
    {
      ...calm,
      name: 'api-5xx',
      what: '30 % of DigitalOcean API calls answered 500/502/503/504; a third of failed creates create first (504 after the work)',
      faults: { failRate: 0.3 },
      repeats: full ? 5 : 1,
    },
    {
      ...calm,
      name: 'api-429-bursts',
      what: 'one API call in 7 (seeded) starts a burst of three 429s with Retry-After: 1',
      faults: { burst429: { every: 7, length: 3 } },
      repeats: full ? 3 : 1,
    },
    {
      ...calm,
      name: 'never-active',
      what: '10 % of droplets (and always the second one) never turn active: no worker ever starts',
      neverActiveShare: 0.1,
      repeats: full ? 3 : 1,
    },
    {
      ...calm,
      name: 'api-slow',
      what: 'every DigitalOcean API call answered after 2 s',
      faults: { delayMs: 2_000 },
      // The default lease: a tick's reconcile (one 2 s list) must fit in it, see docs/reliability.md.
      lifecycle: { leaseTtlMs: 10_000 },
      repeats: full ? 2 : 1,
    },
    {
      ...calm,
      name: 'worker-crash',
      what: 'worker processes SIGKILLed mid-job while their droplet stays up (heartbeat lost, jobs stalled)',
      workerCrashes: full ? 4 : 2,
      jobs: full ? 80 : 40,
      // Long jobs, so a crash lands mid-job.
      jobMs: 1_500,
      repeats: full ? 3 : 1,
    },
    {
      ...calm,
      name: 'everything',
      what: 'all of the above at once: 5xx, 429 bursts, stuck droplets, crashing workers and scaler kills',
      faults: { failRate: 0.3, burst429: { every: 11, length: 3 } },
      neverActiveShare: 0.1,
      workerCrashes: 2,
      scalerKills: full ? 10 : 2,
      jobs: 60,
      // Long jobs, so busy servers are still there to crash while the scaler is being killed.
      jobMs: 1_500,
      repeats: full ? 2 : 0,
    },
  ].filter((s) => s.repeats > 0);
}
