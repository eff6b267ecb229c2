import { ProviderError } from '../provider.ts';

/** DigitalOcean caps a Retry-After it asks for far below this; anything larger is a parse mistake. */
const MAX_RETRY_AFTER_MS = 3_600_000;

const HINTS: Record<number, string> = {
  401: 'the API token was rejected: check the variable named by provider.tokenEnv holds a valid token',
  403: 'the API token lacks a scope: see docs/providers/digitalocean.md for the scopes needed',
  404: 'not found',
  422: 'for a create: run `bullmq-autoscaler doctor` to check the snapshot, size, region and droplet limit',
  429: 'rate limited by DigitalOcean',
};

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - nowMs;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, Math.round(ms)), MAX_RETRY_AFTER_MS);
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** A failed HTTP answer as a ProviderError naming the operation, the status and what to do. */
export function httpError(
  operation: string,
  status: number,
  detail: { apiId?: string; apiMessage?: string; retryAfterMs?: number },
): ProviderError {
  const api = [detail.apiId, detail.apiMessage].filter(Boolean).join(': ');
  const hint = HINTS[status] ?? (status >= 500 ? 'DigitalOcean server error' : 'request failed');
  // DigitalOcean's own words first: they say what is wrong; the hint only guesses.
  return new ProviderError(
    `DigitalOcean ${operation} failed with ${status}${api ? `: ${api}` : ''} (${hint})`,
    {
      status,
      retryable: isRetryableStatus(status),
      ...(detail.retryAfterMs === undefined ? {} : { retryAfterMs: detail.retryAfterMs }),
    },
  );
}

/** dots throws its API errors as plain objects: `{responseStatusCode, responseHeaders, id, messageEscaped}`. */
interface DotsApiError {
  responseStatusCode: number;
  responseHeaders?: Record<string, string[]>;
  id?: string;
  messageEscaped?: string;
}

function isDotsApiError(value: unknown): value is DotsApiError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { responseStatusCode?: unknown }).responseStatusCode === 'number'
  );
}

function isNetworkOrTimeout(error: Error): boolean {
  return (
    (error instanceof TypeError && error.message === 'fetch failed') ||
    error.name === 'TimeoutError' ||
    error.name === 'AbortError'
  );
}

/** Header values from dots arrive split on commas: an HTTP date must be joined back. */
function headerOf(headers: Record<string, string[]> | undefined, name: string): string | undefined {
  const entry = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1].join(',');
}

/**
 * Every failure of a DigitalOcean call as a ProviderError. Messages are built from the API's
 * error id and text only, never from request data, so the token cannot leak into them.
 */
export function toProviderError(error: unknown, operation: string, nowMs: number): ProviderError {
  if (error instanceof ProviderError) return error;
  if (isDotsApiError(error)) {
    const retryAfterMs = parseRetryAfterMs(headerOf(error.responseHeaders, 'retry-after'), nowMs);
    return httpError(operation, error.responseStatusCode, {
      ...(error.id ? { apiId: error.id } : {}),
      ...(error.messageEscaped ? { apiMessage: error.messageEscaped } : {}),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (error instanceof Error && isNetworkOrTimeout(error)) {
    return new ProviderError(
      `DigitalOcean ${operation} failed: no answer (${error.name}: ${error.message})`,
      {
        retryable: true,
      },
    );
  }
  // Unknown failures may have happened after DigitalOcean acted: not retrying is the safe side.
  const text = error instanceof Error ? error.message : String(error);
  return new ProviderError(`DigitalOcean ${operation} failed: ${text}`, { retryable: false });
}
