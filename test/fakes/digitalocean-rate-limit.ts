const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const HOURLY_LIMIT = 5_000;

/**
 * DigitalOcean's rate limits as its API reference describes them: each request counts for an
 * hour from when it was made (`ratelimit-limit` 5000, `ratelimit-remaining`, `ratelimit-reset` =
 * when the oldest counted request expires), and a burst limit per minute whose 429 says
 * `ratelimit-remaining: 0` plus `retry-after` (seconds until a request fits again).
 * Refused requests are not counted: a client that keeps asking does not push the window along.
 */
export class FakeRateLimits {
  /** Times of the requests the limits let through, oldest first. */
  private readonly counted: number[] = [];

  constructor(private readonly perMinute: number | undefined) {}

  /** Counts the request and returns undefined, or returns the headers of its 429. */
  take(now: number): Record<string, string> | undefined {
    while (this.counted.length > 0 && (this.counted[0] ?? now) <= now - HOUR_MS) this.counted.shift();
    const lastMinute = this.counted.filter((t) => t > now - MINUTE_MS);
    if (this.perMinute !== undefined && lastMinute.length >= this.perMinute) {
      const fitsAt = (lastMinute[lastMinute.length - this.perMinute] ?? now) + MINUTE_MS;
      const retryAfter = String(Math.max(1, Math.ceil((fitsAt - now) / 1000)));
      return { ...this.hourly(now), 'ratelimit-remaining': '0', 'retry-after': retryAfter };
    }
    this.counted.push(now);
    return undefined;
  }

  /** The headers DigitalOcean puts on every answer: the hourly window. */
  hourly(now: number): Record<string, string> {
    const oldest = this.counted[0] ?? now;
    return {
      'ratelimit-limit': String(HOURLY_LIMIT),
      'ratelimit-remaining': String(Math.max(0, HOURLY_LIMIT - this.counted.length)),
      'ratelimit-reset': String(Math.ceil((oldest + HOUR_MS) / 1000)),
    };
  }
}
