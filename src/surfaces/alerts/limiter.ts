const hourMs = 3_600_000;

export type Verdict = 'send' | 'too-soon' | 'hourly-cap';

/**
 * Keeps an incident to a few messages: one per alert key per quiet period, and a hard cap over
 * all keys per rolling hour. Suppressed alerts are still logged by the caller.
 */
export class AlertLimiter {
  private readonly lastSentAt = new Map<string, number>();
  private sentAt: number[] = [];

  constructor(
    private readonly repeatAfterMs: number,
    private readonly maxPerHour: number,
  ) {}

  /** Whether an alert with this key may go out at `nowMs`; a 'send' counts against both limits. */
  take(key: string, nowMs: number): Verdict {
    const last = this.lastSentAt.get(key);
    if (last !== undefined && nowMs - last < this.repeatAfterMs) return 'too-soon';
    this.sentAt = this.sentAt.filter((t) => nowMs - t < hourMs);
    if (this.sentAt.length >= this.maxPerHour) return 'hourly-cap';
    this.sentAt.push(nowMs);
    this.lastSentAt.set(key, nowMs);
    return 'send';
  }
}
