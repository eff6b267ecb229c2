import { backlogOf, clamp, minute, second } from './baselines.ts';
import { capacityOf, type Policy, type PoolSetup, towards } from './policy.ts';

/** Judoscale's knobs (docs/policy.md cites its tuning guide for each). */
interface JudoscaleSettings {
  name: string;
  /** Queue latency above this adds `upscaleJump` servers. */
  upscaleAboveMs: number;
  upscaleJump: number;
  /** Cool-down between upscales. */
  upscaleEveryMs: number;
  /** Latency must stay below this for `downscaleDelayMs` before each −1. */
  downscaleBelowMs: number;
  downscaleDelayMs: number;
}

/** Judoscale samples queue latency every 10 s and starts a pool at zero on any job. */
function judoscale(setup: PoolSetup, settings: JudoscaleSettings): Policy {
  const { policy } = setup;
  let lastUpAtMs = Number.NEGATIVE_INFINITY;
  let lastDownAtMs = Number.NEGATIVE_INFINITY;
  let calmSinceMs: number | undefined;
  return {
    name: settings.name,
    intervalMs: 10 * second,
    step(view) {
      const current = capacityOf(view.servers);
      const latency = Math.max(0, ...view.samples.map((s) => s.oldestWaitMs));
      const jobs = view.samples.reduce((sum, s) => sum + backlogOf(s) + s.active, 0);
      calmSinceMs = latency < settings.downscaleBelowMs ? (calmSinceMs ?? view.nowMs) : undefined;
      const calmFor = calmSinceMs === undefined ? 0 : view.nowMs - calmSinceMs;
      let desired = current;
      if (current === 0 && jobs > 0)
        desired = Math.max(1, latency > settings.upscaleAboveMs ? settings.upscaleJump : 1);
      else if (latency > settings.upscaleAboveMs && view.nowMs - lastUpAtMs >= settings.upscaleEveryMs)
        desired = current + settings.upscaleJump;
      else if (
        calmFor >= settings.downscaleDelayMs &&
        view.nowMs - Math.max(lastDownAtMs, lastUpAtMs) >= settings.downscaleDelayMs
      )
        desired = current - 1;
      desired = clamp(desired, policy);
      if (desired > current) lastUpAtMs = view.nowMs;
      if (desired < current) lastDownAtMs = view.nowMs;
      return towards(desired, view.servers, `latency ${(latency / 1000).toFixed(1)} s`);
    },
  };
}

/**
 * Judoscale as this benchmark configured it before peers were tuned from their docs: upscale by one
 * above the target, at most once per 3 minutes; downscale by one below a tenth of it, 10 minutes apart.
 */
export function judoscaleDefaultsPolicy(setup: PoolSetup): Policy {
  return judoscale(setup, {
    name: 'Judoscale, untuned',
    upscaleAboveMs: setup.policy.targetWaitMs,
    upscaleJump: 1,
    upscaleEveryMs: 3 * minute,
    downscaleBelowMs: setup.policy.targetWaitMs / 10,
    downscaleDelayMs: 10 * minute,
  });
}

/**
 * Judoscale as its tuning guide advises for bursty traffic: multi-server upscale jumps, an upscale
 * frequency of about the time a new server takes to come online, an upscale threshold well inside
 * the target so capacity is asked for before the target is missed, and a short downscale delay.
 */
export function judoscaleTunedPolicy(setup: PoolSetup): Policy {
  return judoscale(setup, {
    name: 'Judoscale, tuned for bursts',
    upscaleAboveMs: setup.policy.targetWaitMs / 3,
    upscaleJump: 4,
    upscaleEveryMs: setup.policy.bootMs,
    downscaleBelowMs: setup.policy.targetWaitMs / 10,
    downscaleDelayMs: 2 * minute,
  });
}
