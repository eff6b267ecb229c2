import { describe, expect, it } from 'vitest';
import type { Clock } from '../../providers/digitalocean/clock.ts';
import { asTeardown, RateLimiter } from '../../providers/digitalocean/rate-limiter.ts';

/**
 * Virtual time with real concurrency: sleepers wake in deadline order, each after the previous
 * one's continuation has run, so a herd of waiters behaves as it would on a real clock.
 */
function schedulerClock(startMs = 1_000_000, random = () => 0.5) {
  let now = startMs;
  const timers: { at: number; wake: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    random,
    sleep: (ms) => new Promise<void>((wake) => timers.push({ at: now + Math.max(0, ms), wake })),
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  /** Runs virtual time until `work` settles. */
  async function run<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const finished = work.finally(() => {
      done = true;
    });
    while (!done) {
      await settle();
      timers.sort((a, b) => a.at - b.at);
      const next = timers.shift();
      if (next === undefined) continue;
      now = Math.max(now, next.at);
      next.wake();
    }
    return finished;
  }
  return { clock, run };
}

const burst429 = (retryAfterSeconds: number) =>
  new Headers({
    'ratelimit-limit': '5000',
    'ratelimit-remaining': '0',
    // DigitalOcean's reset is the hourly window's: nearly an hour away.
    'ratelimit-reset': String(Math.ceil(1_000_000 / 1000) + 3_500),
    'retry-after': String(retryAfterSeconds),
  });

/** Start times of `count` callers that all ask at once. */
async function herd(limiter: RateLimiter, clock: Clock, count: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      await limiter.acquire();
      return clock.now();
    }),
  );
}

describe('digitalocean limiter after a 429', () => {
  it('halves the budget to half of what the API took, then grows it back slowly', async () => {
    const { clock, run } = schedulerClock();
    const limiter = new RateLimiter({ requestsPerMinute: 200, requestsPerHour: 5_000, clock });
    const ids = await run(asTeardown(() => Promise.all(Array.from({ length: 30 }, () => limiter.acquire()))));
    await run(clock.sleep(50)); // the 429 comes back a round trip later
    const cutAt = clock.now();
    await limiter.observe(ids[29] ?? '', 429, burst429(1));
    // 30 went through in the last minute: half is 15, below the floor (a tenth of 200), so the
    // budget is 20 a minute now, counted from the cut (the Retry-After paid for the ones before),
    // growing by 10 a minute per minute.
    const starts = await run(asTeardown(() => herd(limiter, clock, 20)));
    const inMinute = (times: number[], from: number) =>
      times.filter((t) => t >= from && t < from + 60_000).length;
    expect(Math.min(...starts) - cutAt).toBeGreaterThanOrEqual(1_000);
    // 20 at the cut, 30 a minute later: never more in the minute after it.
    expect(inMinute(starts, cutAt)).toBeLessThanOrEqual(30);
    expect(inMinute(starts, cutAt)).toBeGreaterThanOrEqual(12);
    // Three minutes on it has grown by 30 or so: more fit in a minute, still far below 200.
    await run(clock.sleep(180_000));
    const later = await run(asTeardown(() => herd(limiter, clock, 80)));
    const from = Math.min(...later);
    expect(inMinute(later, from)).toBeGreaterThan(30);
    expect(inMinute(later, from)).toBeLessThan(80);
  });

  it('does not cut again for requests that were already in flight when the budget was cut', async () => {
    const { clock, run } = schedulerClock();
    const limiter = new RateLimiter({ requestsPerMinute: 200, requestsPerHour: 5_000, clock });
    const ids = await run(asTeardown(() => Promise.all(Array.from({ length: 80 }, () => limiter.acquire()))));
    // Eight requests sent together all come back 429: one cut (to 40), not eight (to 20, the floor).
    await run(clock.sleep(50));
    for (const id of ids.slice(72)) await limiter.observe(id, 429, burst429(1));
    const starts = await run(asTeardown(() => herd(limiter, clock, 40)));
    const firstMinute = starts.filter((t) => t < Math.min(...starts) + 60_000).length;
    expect(firstMinute).toBeGreaterThanOrEqual(30);
  });

  it('releases waiters one by one with jitter after a Retry-After, never all at the same instant', async () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16_807) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const { clock, run } = schedulerClock(1_000_000, random);
    const limiter = new RateLimiter({ requestsPerMinute: 200, requestsPerHour: 5_000, clock });
    const first = await run(limiter.acquire());
    await limiter.observe(first, 429, burst429(5));
    const pauseEnd = clock.now() + 5_000;
    const starts = (await run(herd(limiter, clock, 12))).sort((a, b) => a - b);
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(pauseEnd);
    expect(new Set(starts).size).toBe(starts.length);
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] ?? t));
    // Spaced by a jittered share of the minute: no two together, and not a fixed beat either.
    expect(Math.min(...gaps)).toBeGreaterThan(0);
    expect(new Set(gaps.map((g) => Math.round(g / 100))).size).toBeGreaterThan(3);
  });

  it('waits for a burst 429’s Retry-After, not for the hourly reset that comes with it', async () => {
    const { clock, run } = schedulerClock();
    const limiter = new RateLimiter({ requestsPerMinute: 200, requestsPerHour: 5_000, clock });
    const ids = await run(Promise.all(Array.from({ length: 20 }, () => limiter.acquire())));
    await run(clock.sleep(50));
    await limiter.observe(ids[19] ?? '', 429, burst429(3));
    const before = clock.now();
    await run(limiter.acquire());
    // Half of 20 is 10 a minute, so the window (20 in it) has room only after its oldest leave:
    // a minute at most, not the 58 minutes to ratelimit-reset.
    expect(clock.now() - before).toBeLessThanOrEqual(61_000);
  });

  it('a 429 that is not DigitalOcean’s rate-limit answer pauses, but does not cut the budget', async () => {
    const { clock, run } = schedulerClock();
    const limiter = new RateLimiter({ requestsPerMinute: 200, requestsPerHour: 5_000, clock });
    const ids = await run(asTeardown(() => Promise.all(Array.from({ length: 30 }, () => limiter.acquire()))));
    await run(clock.sleep(50));
    const pausedAt = clock.now();
    // A proxy's 429: Retry-After only, no ratelimit-remaining: 0.
    await limiter.observe(ids[29] ?? '', 429, new Headers({ 'retry-after': '1' }));
    const starts = await run(asTeardown(() => herd(limiter, clock, 60)));
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(pausedAt + 1_000);
    // Still 200 a minute: 60 more start within the minute (spaced, not cut to 20).
    expect(Math.max(...starts) - pausedAt).toBeLessThan(60_000);
  });
});
