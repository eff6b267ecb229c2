import { describe, expect, it } from 'vitest';
import type { Clock } from '../../providers/digitalocean/clock.ts';
import { asTeardown, inBackground, RateLimiter } from '../../providers/digitalocean/rate-limiter.ts';
import { BudgetBusyError } from '../../providers/provider.ts';

function fakeClock(startMs = 1_000_000): Clock & { sleeps: number[] } {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => 0.5,
  };
}

async function startTimes(limiter: RateLimiter, clock: Clock, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    await limiter.acquire();
    times.push(clock.now());
  }
  return times;
}

const maxInWindow = (times: number[], windowMs: number) =>
  Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));

describe('digitalocean rate limiter', () => {
  it('never starts more than requestsPerMinute in any minute, or requestsPerHour in any hour', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ requestsPerMinute: 4, requestsPerHour: 10, clock });
    // Destroys may fill the whole budget; see below for the others' shares.
    const times = await asTeardown(() => startTimes(limiter, clock, 25));
    expect(maxInWindow(times, 60_000)).toBe(4);
    expect(maxInWindow(times, 3_600_000)).toBe(10);
  });

  it('pauses every caller for a Retry-After', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ requestsPerMinute: 250, requestsPerHour: 5_000, clock });
    const id = await limiter.acquire();
    await limiter.observe(id, 503, new Headers({ 'retry-after': '7' }));
    const before = clock.now();
    await limiter.acquire();
    expect(clock.now() - before).toBe(7_000);
  });

  it('waits for ratelimit-reset when DigitalOcean says nothing remains', async () => {
    const clock = fakeClock(1_000_000);
    const limiter = new RateLimiter({ requestsPerMinute: 250, requestsPerHour: 5_000, clock });
    await limiter.observe('x', 200, new Headers({ 'ratelimit-remaining': '0', 'ratelimit-reset': '1030' }));
    await limiter.acquire();
    expect(clock.now()).toBe(1_030_000);
    await limiter.acquire();
    expect(clock.now()).toBe(1_030_000);
  });

  it('ignores a Retry-After on a successful answer', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ requestsPerMinute: 250, requestsPerHour: 5_000, clock });
    await limiter.observe('x', 200, new Headers({ 'retry-after': '30' }));
    await limiter.acquire();
    expect(clock.sleeps).toEqual([]);
  });

  it('splits the budget by urgency: bookkeeping half, creates four fifths, destroys all of it', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ requestsPerMinute: 10, requestsPerHour: 100, clock });
    await inBackground(() => startTimes(limiter, clock, 5));
    // A sixth background request does not wait for room: it is declined at once.
    await expect(inBackground(() => limiter.acquire())).rejects.toBeInstanceOf(BudgetBusyError);
    await startTimes(limiter, clock, 3);
    expect(clock.sleeps).toEqual([]);
    // Creates have used their eight; destroys still find the last two at once.
    await asTeardown(() => startTimes(limiter, clock, 2));
    expect(clock.sleeps).toEqual([]);
    await startTimes(limiter, clock, 1);
    expect(clock.sleeps).toHaveLength(1);
  });

  it('counts a request at its end: a long request holds its place in the window until answered', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ requestsPerMinute: 1, requestsPerHour: 100, clock });
    const slow = await limiter.acquire();
    await clock.sleep(50_000);
    await limiter.end(slow);
    const endedAt = clock.now();
    await limiter.acquire();
    expect(clock.now() - endedAt).toBe(60_001);
  });
});
