import { ProviderError } from '../provider.ts';
import { shownUrl } from './config.ts';
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
      response = await fetch(url, { ...init, signal }).catch((error: unknown) => {
        throw noAnswer(`${init.method ?? 'GET'} ${shownUrl(url)}`, error, requestTimeoutMs);
      });
      // Before end(): a 429 cuts the budget only if no cut came after this request started.
      await limiter.observe(requestId, response.status, response.headers);
    } finally {
      await limiter.end(requestId);
    }
    const json = (response.headers.get('content-type') ?? '').includes('json');
    if (response.ok && json && new URL(url).pathname.startsWith('/v2/snapshots')) {
      return snapshotIdsAsStrings(response);
    }
    if (response.ok || json) return response;
    await response.body?.cancel();
    const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after') ?? undefined, now());
    throw httpError(`${init.method ?? 'GET'} ${new URL(url).pathname}`, response.status, {
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  };
}

/**
 * fetch rejects only when no answer came: the network (refused, unknown host, TLS) or the timeout.
 * The message names the URL, since a wrong apiUrl is the commonest cause; retryable, because a
 * network blip is the next commonest.
 */
function noAnswer(request: string, error: unknown, requestTimeoutMs: number): ProviderError {
  const timedOut = error instanceof Error && error.name === 'TimeoutError';
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const why = timedOut
    ? `none within requestTimeoutMs ${requestTimeoutMs}`
    : String(cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : error));
  return new ProviderError(
    `DigitalOcean ${request}: no answer (${why}): check provider.apiUrl (or DIGITALOCEAN_API_URL) ` +
      'and that this host can reach it',
    { retryable: true, cause: error },
  );
}

/**
 * DigitalOcean's document types snapshot ids as strings, but a stand-in or proxy may send the
 * number (ids are numbers everywhere else in the API). dots reads a number where it expects a
 * string as undefined without a word, and every create would then fail with "invalid image".
 */
async function snapshotIdsAsStrings(response: Response): Promise<Response> {
  const body = (await response.json()) as { snapshot?: unknown; snapshots?: unknown };
  const fix = (snapshot: unknown) => {
    const s = snapshot as { id?: unknown } | null;
    if (typeof s?.id === 'number') s.id = String(s.id);
  };
  fix(body.snapshot);
  if (Array.isArray(body.snapshots)) body.snapshots.forEach(fix);
  const { status, statusText, headers } = response;
  return new Response(JSON.stringify(body), { status, statusText, headers });
}
