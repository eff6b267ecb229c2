import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs, toProviderError } from '../../providers/digitalocean/errors.ts';
import { withRetry } from '../../providers/digitalocean/retry.ts';
import { ProviderError } from '../../providers/provider.ts';

const NOW = Date.parse('2026-11-26T04:00:00Z');

describe('digitalocean error normalisation', () => {
  it('reads dots’ plain-object errors, with Retry-After from split header values', () => {
    const error = toProviderError(
      {
        responseStatusCode: 429,
        responseHeaders: { 'retry-after': ['3'] },
        id: 'too_many_requests',
        messageEscaped: 'API Rate limit exceeded.',
      },
      'list droplets',
      NOW,
    );
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 3_000 });
    expect(error.message).toMatch(/list droplets failed with 429.*API Rate limit exceeded/);
  });

  it('joins an HTTP-date Retry-After that dots split on its comma', () => {
    const error = toProviderError(
      { responseStatusCode: 503, responseHeaders: { 'Retry-After': ['Thu', ' 26 Nov 2026 04:00:10 GMT'] } },
      'get droplet 1',
      NOW,
    );
    expect(error).toMatchObject({ status: 503, retryable: true, retryAfterMs: 10_000 });
  });

  it('treats fetch failures and timeouts as retryable without a status', () => {
    const network = toProviderError(new TypeError('fetch failed'), 'read account', NOW);
    const timeout = toProviderError(new DOMException('The operation timed out.', 'TimeoutError'), 'x', NOW);
    expect(network).toMatchObject({ status: undefined, retryable: true });
    expect(timeout).toMatchObject({ status: undefined, retryable: true });
  });

  it('does not retry an unknown failure: DigitalOcean may already have acted', () => {
    const error = toProviderError(new Error('unexpected type to deserialize'), 'create droplets', NOW);
    expect(error).toMatchObject({ status: undefined, retryable: false });
  });

  it('4xx other than 408 and 429 are final; 5xx are retryable', () => {
    const status = (code: number) => toProviderError({ responseStatusCode: code }, 'x', NOW).retryable;
    expect([400, 401, 403, 404, 408, 422, 429, 500, 502, 504].map(status)).toEqual([
      false,
      false,
      false,
      false,
      true,
      false,
      true,
      true,
      true,
      true,
    ]);
  });

  it('parses Retry-After seconds and dates, and rejects nonsense', () => {
    expect(parseRetryAfterMs('2', NOW)).toBe(2_000);
    expect(parseRetryAfterMs('Thu, 26 Nov 2026 04:00:05 GMT', NOW)).toBe(5_000);
    expect(parseRetryAfterMs('soon', NOW)).toBeUndefined();
    expect(parseRetryAfterMs('999999999', NOW)).toBe(3_600_000);
  });
});

describe('digitalocean retry', () => {
  const clock = (sleeps: number[]) => ({
    now: () => 0,
    random: () => 1,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  });
  const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 };

  it('stops after maxAttempts with capped, jittered backoff that honours Retry-After', async () => {
    const sleeps: number[] = [];
    let tries = 0;
    const failing = async () => {
      tries++;
      throw new ProviderError('boom', {
        status: 503,
        retryable: true,
        retryAfterMs: tries === 1 ? 1_000 : 0,
      });
    };
    await expect(withRetry(policy, clock(sleeps), failing)).rejects.toThrow('boom');
    expect(tries).toBe(4);
    expect(sleeps).toEqual([1_000, 200, 250]);
  });

  it('does not retry a non-retryable error', async () => {
    const sleeps: number[] = [];
    let tries = 0;
    const failing = async () => {
      tries++;
      throw new ProviderError('no', { status: 422, retryable: false });
    };
    await expect(withRetry(policy, clock(sleeps), failing)).rejects.toThrow('no');
    expect([tries, sleeps]).toEqual([1, []]);
  });
});
