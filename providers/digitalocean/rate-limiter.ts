import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { BudgetBusyError, type RequestLimits, type RequestWindows } from '../provider.ts';
import type { Clock } from './clock.ts';
import { parseRetryAfterMs } from './errors.ts';
import { MemoryRequestWindows } from './memory-windows.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * What a request is for, and so how much of the budget it may fill. Destroys stop the bill and
 * may fill it all; creates leave them a fifth; bookkeeping (the reconciler's lists and reads)
 * takes at most half, and never waits.
 */
type RequestKind = 'bookkeeping' | 'create' | 'teardown';
const SHARE: Record<RequestKind, number> = { bookkeeping: 0.5, create: 0.8, teardown: 1 };

const requestKind = new AsyncLocalStorage<RequestKind>();

/**
 * Runs `work` with its requests marked as background (reconciling lists and reads): they never
 * take the budget past half, so creates and destroys always find room, however busy the API is.
 * Nor do they wait: a background request that does not fit fails at once with BudgetBusyError,
 * so a tick is never held up by bookkeeping.
 */
export function inBackground<T>(work: () => Promise<T>): Promise<T> {
  return requestKind.run('bookkeeping', work);
}

/** Runs `work` (a destroy) with first claim on the budget: under a tight limit servers still go away. */
export function asTeardown<T>(work: () => Promise<T>): Promise<T> {
  return requestKind.run('teardown', work);
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
 * windows (shared through Redis when the scaler provides them) and obeys what DigitalOcean says:
 * - a 429 with `ratelimit-remaining: 0` (DigitalOcean's rate-limit answer) halves the
 *   per-minute budget, which then grows back slowly (see RequestWindows);
 * - a Retry-After pauses every caller, and afterwards, as long as the budget is cut, callers
 *   start one at a time, spaced by a jittered share of the minute, never all at once;
 * - a spent `ratelimit-remaining` (the token may be shared) waits for `ratelimit-reset`.
 */
export class RateLimiter {
  private readonly windows: RequestWindows;
  /** Request ids are unique across processes sharing the windows. */
  private readonly instance = randomUUID();
  private requests = 0;
  /** The per-minute budget in force, as the windows last said. */
  private budgetPerMinute: number;
  private pausedUntilMs = 0;
  /** After a pause, starts stay spaced until this time even if the budget was not cut. */
  private spacedUntilMs = 0;
  private nextStartAtMs = 0;
  /** Callers waiting for a spaced start, in turn, and how many. */
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private serverRemaining = Number.POSITIVE_INFINITY;
  private serverResetAtMs = 0;

  constructor(private readonly options: RateLimiterOptions) {
    this.windows = options.windows ?? new MemoryRequestWindows(options.clock);
    this.budgetPerMinute = options.requestsPerMinute;
  }

  /** Waits until one more request fits every budget, then counts it; returns its id for end(). */
  async acquire(): Promise<string> {
    const requestId = `${this.instance}:${this.requests++}`;
    const kind = requestKind.getStore() ?? 'create';
    const { clock } = this.options;
    for (;;) {
      const pausedMs = this.localWaitMs(clock.now());
      if (pausedMs > 0) {
        this.refuseBookkeeping(kind, pausedMs);
        await clock.sleep(pausedMs);
        continue;
      }
      if (this.spaced() && kind === 'bookkeeping') {
        this.takeFreeSlot();
      } else if (this.spaced()) {
        await this.nextSlot();
        // A pause that came meanwhile sends this caller to the back, behind the pause.
        if (this.localWaitMs(clock.now()) > 0) continue;
      }
      const start = await this.windows.tryStart(requestId, this.limits(kind));
      this.budgetPerMinute = start.perMinute;
      if (start.waitMs <= 0) break;
      this.refuseBookkeeping(kind, start.waitMs);
      // Everyone blocked on a full window wakes at the same moment: spacing sorts them out next.
      await clock.sleep(start.waitMs);
    }
    this.serverRemaining -= 1;
    return requestId;
  }

  /** The request has ended: it now counts at this moment, the latest it can have reached the API. */
  end(requestId: string): Promise<void> {
    return this.windows.end(requestId);
  }

  /** Learns from the headers of any answer, successful or not; call it before end(). */
  async observe(requestId: string, status: number, headers: Headers): Promise<void> {
    const now = this.options.clock.now();
    const retryAfterMs = parseRetryAfterMs(headers.get('retry-after') ?? undefined, now);
    const remaining = Number(headers.get('ratelimit-remaining') ?? Number.NaN);
    const resetSeconds = Number(headers.get('ratelimit-reset') ?? Number.NaN);
    // A burst 429 says remaining 0 with the *hourly* reset, up to an hour away: its Retry-After
    // is the wait that counts, not the reset.
    const burst = status === 429 && retryAfterMs !== undefined;
    if (Number.isFinite(remaining) && Number.isFinite(resetSeconds) && !burst) {
      this.serverRemaining = remaining;
      this.serverResetAtMs = Math.min(resetSeconds * 1000, now + HOUR_MS);
    }
    if (retryAfterMs !== undefined && (status === 429 || status >= 500)) {
      this.pausedUntilMs = Math.max(this.pausedUntilMs, now + retryAfterMs);
      this.nextStartAtMs = Math.max(this.nextStartAtMs, this.pausedUntilMs);
      this.spacedUntilMs = this.pausedUntilMs + MINUTE_MS;
    }
    // DigitalOcean's own rate-limit answer says nothing remains. Any other 429 (a proxy, an
    // endpoint with its own limit) pauses callers but says nothing about our rate.
    if (status === 429 && remaining === 0) await this.windows.throttled(requestId, this.limits('teardown'));
  }

  private limits(kind: RequestKind): RequestLimits {
    const { requestsPerMinute: perMinute, requestsPerHour: perHour } = this.options;
    return { perMinute, perHour, share: SHARE[kind] };
  }

  private refuseBookkeeping(kind: RequestKind, waitMs: number): void {
    if (kind !== 'bookkeeping') return;
    throw new BudgetBusyError(
      `DigitalOcean API budget kept for creates and destroys: bookkeeping waits ${Math.ceil(waitMs / 1000)}s or more`,
    );
  }

  /**
   * While the budget is cut (or just after a pause), requests start one at a time, each a
   * jittered 1/budget of a minute after the one before: waiters released together leave one by
   * one, and an API whose window is still nearly full is not met with a burst.
   */
  private spaced(): boolean {
    const now = this.options.clock.now();
    return this.budgetPerMinute < this.options.requestsPerMinute || now < this.spacedUntilMs;
  }

  /** Waits for this caller's turn; the gap after it is set when it goes, from the budget then. */
  private nextSlot(): Promise<void> {
    const { clock } = this.options;
    this.queued++;
    const turn = this.queue.then(async () => {
      const waitMs = this.nextStartAtMs - clock.now();
      if (waitMs > 0) await clock.sleep(waitMs);
      this.queued--;
      this.nextStartAtMs = clock.now() + this.gapMs();
    });
    this.queue = turn.catch(() => {});
    return turn;
  }

  /** Bookkeeping never waits: it goes only when no one is queued and the next slot is free. */
  private takeFreeSlot(): void {
    const waitMs = this.nextStartAtMs - this.options.clock.now();
    if (this.queued > 0 || waitMs > 0) this.refuseBookkeeping('bookkeeping', Math.max(waitMs, this.gapMs()));
    this.nextStartAtMs = this.options.clock.now() + this.gapMs();
  }

  private gapMs(): number {
    return (MINUTE_MS / Math.max(1, this.budgetPerMinute)) * (0.5 + this.options.clock.random());
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
