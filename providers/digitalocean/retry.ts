import { ProviderError, type ProviderLog } from '../provider.ts';
import type { Clock } from './clock.ts';

export interface RetryPolicy {
  /** Total tries, the first included; bounded so a failing money path cannot run away. */
  maxAttempts: number;
  /** Backoff ceiling before jitter for the first retry; doubles per retry. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Full jitter, but never sooner than the server asked for. */
export function backoffMs(policy: RetryPolicy, retry: number, clock: Clock, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.max(retryAfterMs ?? 0, Math.round(clock.random() * ceiling));
}

/** A failed try that will be tried again. */
export interface RetryNotice {
  /** The try that failed, 1 for the first. */
  attempt: number;
  maxAttempts: number;
  retryInMs: number;
  error: ProviderError;
}

/**
 * Runs `attempt(n)` until it succeeds, fails with a non-retryable error, or runs out of tries.
 * `n` is 0 for the first try, so an attempt can check state before repeating a side effect.
 * `onRetry` hears of each try that failed and will be repeated, before the wait.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  clock: Clock,
  attempt: (n: number) => Promise<T>,
  onRetry?: (notice: RetryNotice) => void,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const retryable = error instanceof ProviderError && error.retryable;
      if (!retryable || n + 1 >= policy.maxAttempts) throw error;
      const retryInMs = backoffMs(policy, n, clock, error.retryAfterMs);
      onRetry?.({ attempt: n + 1, maxAttempts: policy.maxAttempts, retryInMs, error });
      await clock.sleep(retryInMs);
    }
  }
}

/** Money paths do not retry in silence: each retry of a create or destroy is a warn line with its count. */
export function logRetries(
  log: ProviderLog | undefined,
  operation: 'create' | 'destroy',
  what: string,
  fields: Record<string, unknown>,
): (notice: RetryNotice) => void {
  return ({ attempt, maxAttempts, retryInMs, error }) =>
    log?.warn(
      {
        event: 'provider.retry',
        provider: 'digitalocean',
        operation,
        ...fields,
        attempt,
        maxAttempts,
        retryInMs,
        status: error.status,
        error: error.message,
      },
      `${operation} of ${what} failed (attempt ${attempt} of ${maxAttempts}), retrying in ${retryInMs} ms: ${error.message}`,
    );
}
