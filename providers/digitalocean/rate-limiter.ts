import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { BudgetBusyError, type RequestLimits, type RequestWindows } from '../provider.ts';
import type { Clock } from './clock.ts';
import { parseRetryAfterMs } from './errors.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Background requests start only while the windows are less than this share full. */
const BACKGROUND_SHARE = 0.5;

const backgroundWork = new AsyncLocalStorage<true>();

/**
 * Runs `work` with its requests marked as background (reconciling lists and reads): they never
 * take the budget past half, so creates and destroys always find room, however busy the API is.
 * Nor do they wait: a background request that does not fit fails at once with BudgetBusyError,
 * so a tick is never held up by bookkeeping.
 */
export function inBackground<T>(work: () => Promise<T>): Promise<T> {
  return backgroundWork.run(true, work);
}

export interface RateLimiterOptions {
  /** Most requests reaching the API in any 60 s window. */
  requestsPerMinute: number;
  /** Most requests reaching the API in any hour. */
  requestsPerHour: number;
  clock: Clock;
  /** Where requests are counted; this process's memory when absent. */
  windows?: RequestWindows;
}

/**
 * Client-side API budget shared by every call of one provider. It counts requests in sliding
 * windows (shared through Redis when the scaler provides them) and also obeys what DigitalOcean
 * says: a Retry-After pauses every caller, and a spent `ratelimit-remaining` (the token may be
 * shared with other tools) waits for `ratelimit-reset`.
 */
export class RateLimiter {
  private readonly windows: RequestWindows;
  private readonly limits: RequestLimits;
  private readonly backgroundLimits: RequestLimits;
  /** Request ids are unique across processes sharing the windows. */
  private readonly instance = randomUUID();
  private requests = 0;
  private pausedUntilMs = 0;
  private serverRemaining = Number.POSITIVE_INFINITY;
  private serverResetAtMs = 0;

  constructor(private readonly options: RateLimiterOptions) {
    this.windows = options.windows ?? new MemoryRequestWindows(options.clock);
    this.limits = { perMinute: options.requestsPerMinute, perHour: options.requestsPerHour };
    const share = (limit: number) => Math.max(1, Math.floor(limit * BACKGROUND_SHARE));
    this.backgroundLimits = { perMinute: share(this.limits.perMinute), perHour: share(this.limits.perHour) };
  }

  /** Waits until one more request fits every budget, then counts it; returns its id for end(). */
  async acquire(): Promise<string> {
    const requestId = `${this.instance}:${this.requests++}`;
    const background = backgroundWork.getStore() === true;
    const limits = background ? this.backgroundLimits : this.limits;
    for (;;) {
      const waitMs =
        this.localWaitMs(this.options.clock.now()) || (await this.windows.tryStart(requestId, limits));
      if (waitMs <= 0) break;
      if (background) {
        throw new BudgetBusyError(
          `DigitalOcean API budget kept for creates and destroys: bookkeeping waits ${Math.ceil(waitMs / 1000)}s or more`,
        );
      }
      await this.options.clock.sleep(waitMs);
    }
    this.serverRemaining -= 1;
    return requestId;
  }

  /** The request has ended: it now counts at this moment, the latest it can have reached the API. */
  end(requestId: string): Promise<void> {
    return this.windows.end(requestId);
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

/** Requests counted in this process only: for tests and one-off commands like `doctor`. */
export class MemoryRequestWindows implements RequestWindows {
  private readonly countedAtMs = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  async tryStart(requestId: string, limits: RequestLimits): Promise<number> {
    const now = this.clock.now();
    for (const [id, at] of this.countedAtMs) if (at <= now - HOUR_MS) this.countedAtMs.delete(id);
    const times = [...this.countedAtMs.values()].sort((a, b) => a - b);
    const waitMs = Math.max(
      windowWaitMs(times, now, MINUTE_MS, limits.perMinute),
      windowWaitMs(times, now, HOUR_MS, limits.perHour),
    );
    if (waitMs <= 0) this.countedAtMs.set(requestId, now);
    return waitMs;
  }

  async end(requestId: string): Promise<void> {
    if (this.countedAtMs.has(requestId)) this.countedAtMs.set(requestId, this.clock.now());
  }
}

/** How long until the oldest request inside the window leaves it, if the window is full. */
function windowWaitMs(sortedTimes: number[], now: number, windowMs: number, limit: number): number {
  const inWindow = sortedTimes.filter((t) => t > now - windowMs);
  if (inWindow.length < limit) return 0;
  const oldestBlocking = inWindow[inWindow.length - limit] ?? now;
  return oldestBlocking + windowMs - now + 1;
}
