import type { RequestLimits, RequestWindows } from '../provider.ts';
import type { Clock } from './clock.ts';
import { parseRetryAfterMs } from './errors.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export interface RateLimiterOptions {
  /** Most requests started in any 60 s window. */
  requestsPerMinute: number;
  /** Most requests started in any hour. */
  requestsPerHour: number;
  clock: Clock;
  /** Where request starts are counted; this process's memory when absent. */
  windows?: RequestWindows;
}

/**
 * Client-side API budget shared by every call of one provider. It counts request starts in
 * sliding windows (shared through Redis when the scaler provides them) and also obeys what
 * DigitalOcean says: a Retry-After pauses every caller, and a spent `ratelimit-remaining` (the
 * token may be shared with other tools) waits for `ratelimit-reset`.
 */
export class RateLimiter {
  private readonly windows: RequestWindows;
  private readonly limits: RequestLimits;
  private pausedUntilMs = 0;
  private serverRemaining = Number.POSITIVE_INFINITY;
  private serverResetAtMs = 0;

  constructor(private readonly options: RateLimiterOptions) {
    this.windows = options.windows ?? new MemoryRequestWindows(options.clock);
    this.limits = { perMinute: options.requestsPerMinute, perHour: options.requestsPerHour };
  }

  /** Waits until one more request fits every budget, then counts it. */
  async acquire(): Promise<void> {
    for (;;) {
      const waitMs = this.localWaitMs(this.options.clock.now()) || (await this.windows.tryStart(this.limits));
      if (waitMs <= 0) break;
      await this.options.clock.sleep(waitMs);
    }
    this.serverRemaining -= 1;
  }

  /** Learns from the headers of any answer, successful or not. */
  observe(status: number, headers: Headers): void {
    const now = this.options.clock.now();
    const remaining = Number(headers.get('ratelimit-remaining') ?? Number.NaN);
    const resetSeconds = Number(headers.get('ratelimit-reset') ?? Number.NaN);
    if (Number.isFinite(remaining) && Number.isFinite(resetSeconds)) {
      this.serverRemaining = remaining;
      this.serverResetAtMs = Math.min(resetSeconds * 1000, now + HOUR_MS);
    }
    const retryAfterMs = parseRetryAfterMs(headers.get('retry-after') ?? undefined, now);
    if (retryAfterMs !== undefined && (status === 429 || status >= 500)) {
      this.pausedUntilMs = Math.max(this.pausedUntilMs, now + retryAfterMs);
    }
  }

  /** What DigitalOcean itself asked for: a pause, or a spent ratelimit window. */
  private localWaitMs(now: number): number {
    return Math.max(0, this.pausedUntilMs - now, this.serverWaitMs(now));
  }

  private serverWaitMs(now: number): number {
    if (this.serverRemaining > 0) return 0;
    if (now < this.serverResetAtMs) return this.serverResetAtMs - now;
    // The server's window has reset; its next answer tells the new remaining count.
    this.serverRemaining = Number.POSITIVE_INFINITY;
    return 0;
  }
}

/** Request starts counted in this process only: for tests and one-off commands like `doctor`. */
export class MemoryRequestWindows implements RequestWindows {
  private readonly startedAtMs: number[] = [];

  constructor(private readonly clock: Clock) {}

  async tryStart(limits: RequestLimits): Promise<number> {
    const now = this.clock.now();
    while ((this.startedAtMs[0] ?? Number.POSITIVE_INFINITY) <= now - HOUR_MS) this.startedAtMs.shift();
    const waitMs = Math.max(
      this.windowWaitMs(now, MINUTE_MS, limits.perMinute),
      this.windowWaitMs(now, HOUR_MS, limits.perHour),
    );
    if (waitMs <= 0) this.startedAtMs.push(now);
    return waitMs;
  }

  /** How long until the oldest request inside the window leaves it, if the window is full. */
  private windowWaitMs(now: number, windowMs: number, limit: number): number {
    const inWindow = this.startedAtMs.filter((t) => t > now - windowMs);
    if (inWindow.length < limit) return 0;
    const oldestBlocking = inWindow[inWindow.length - limit] ?? now;
    return oldestBlocking + windowMs - now + 1;
  }
}
