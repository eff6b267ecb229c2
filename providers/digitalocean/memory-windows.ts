import {
  budgetFloor,
  budgetRecoveryPerMinute,
  type RequestLimits,
  type RequestStart,
  type RequestWindows,
} from '../provider.ts';
import type { Clock } from './clock.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * Requests counted in this process only: for tests and one-off commands like `doctor`. The
 * scaler's windows (src/scaler/request-windows.ts) keep the same rules in Redis.
 */
export class MemoryRequestWindows implements RequestWindows {
  private readonly countedAtMs = new Map<string, number>();
  /** The last 429's cut of the per-minute budget; it grows back from there. */
  private cut: { to: number; atMs: number } | undefined;

  constructor(private readonly clock: Clock) {}

  async tryStart(requestId: string, limits: RequestLimits): Promise<RequestStart> {
    const now = this.clock.now();
    for (const [id, at] of this.countedAtMs) if (at <= now - HOUR_MS) this.countedAtMs.delete(id);
    const perMinute = this.budget(limits, now);
    const share = limits.share ?? 1;
    const times = [...this.countedAtMs.values()].sort((a, b) => a - b);
    // A cut budget is a rate from the cut on: requests before it were paid for by the Retry-After.
    const sinceCut = times.filter((t) => t >= (this.cut?.atMs ?? 0));
    const waitMs = Math.max(
      windowWaitMs(sinceCut, now, MINUTE_MS, shareOf(perMinute, share)),
      windowWaitMs(times, now, HOUR_MS, shareOf(limits.perHour, share)),
    );
    if (waitMs <= 0) this.countedAtMs.set(requestId, now);
    return { waitMs, perMinute };
  }

  async end(requestId: string): Promise<void> {
    if (this.countedAtMs.has(requestId)) this.countedAtMs.set(requestId, this.clock.now());
  }

  async throttled(requestId: string, limits: RequestLimits): Promise<void> {
    const now = this.clock.now();
    const startedAt = this.countedAtMs.get(requestId);
    if (this.cut && startedAt !== undefined && startedAt <= this.cut.atMs) return;
    const used = [...this.countedAtMs.values()].filter((t) => t > now - MINUTE_MS).length;
    const to = Math.max(budgetFloor(limits), Math.floor(Math.min(this.budget(limits, now), used) / 2));
    this.cut = { to, atMs: now };
  }

  private budget(limits: RequestLimits, now: number): number {
    if (this.cut === undefined) return limits.perMinute;
    const grown = this.cut.to + (budgetRecoveryPerMinute(limits) * (now - this.cut.atMs)) / MINUTE_MS;
    return Math.min(limits.perMinute, Math.floor(grown));
  }
}

/** A request's part of a budget: never zero, or it could never start. */
export function shareOf(limit: number, share: number): number {
  return Math.max(1, Math.floor(limit * share));
}

/** How long until the oldest request inside the window leaves it, if the window is full. */
function windowWaitMs(sortedTimes: number[], now: number, windowMs: number, limit: number): number {
  const inWindow = sortedTimes.filter((t) => t > now - windowMs);
  if (inWindow.length < limit) return 0;
  const oldestBlocking = inWindow[inWindow.length - limit] ?? now;
  return oldestBlocking + windowMs - now + 1;
}
