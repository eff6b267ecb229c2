import { httpError, parseRetryAfterMs } from './errors.ts';
import type { RateLimiter } from './rate-limiter.ts';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/**
 * The one place every DigitalOcean request passes: it spends the API budget (counting the
 * request until its answer), bounds the wait with a timeout, and lets the limiter read the
 * rate-limit headers of every answer (dots hides them on success). A non-JSON error body (a
 * proxy's HTML 502) is turned into a ProviderError here, because dots would throw it as an Error
 * that has lost the status.
 */
export function limitedFetch(limiter: RateLimiter, requestTimeoutMs: number, now: () => number): FetchLike {
  return async (url, init) => {
    const requestId = await limiter.acquire();
    const timeout = AbortSignal.timeout(requestTimeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal });
    } finally {
      await limiter.end(requestId);
    }
    limiter.observe(response.status, response.headers);
    const json = (response.headers.get('content-type') ?? '').includes('json');
    if (response.ok || json) return response;
    await response.body?.cancel();
    const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after') ?? undefined, now());
    throw httpError(`${init.method ?? 'GET'} ${new URL(url).pathname}`, response.status, {
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  };
}
