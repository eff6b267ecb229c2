import type { IncomingMessage, ServerResponse } from 'node:http';
import { messageOf } from '../../base/errors.ts';
import { redactUrlsIn } from '../../base/redact.ts';
import { createRedisClient, type RedisClient } from '../../base/redis-connection.ts';
import { parseConfig } from '../../config/load.ts';
import { redisConnectionOf } from '../../config/redis-schema.ts';
import type { AutoscalerConfig, AutoscalerConfigInput } from '../../config/schema.ts';
import { type HistoryRange, historyRanges } from '../../fleet/history-store.ts';
import type { ScalerView } from '../view.ts';
import { refuse, TokenAuth } from './auth.ts';
import { createMetrics } from './metrics.ts';
import { pageCss, pageIcon, statusPageHtml } from './page.ts';
import { pageScript } from './page-script.ts';
import { StatusReader } from './status.ts';

export interface StatusHandlerOptions {
  /** The cluster to show. Required with a Redis client; with a scaler, its own config is used. */
  config?: AutoscalerConfig | AutoscalerConfigInput;
  /**
   * Where the handler is mounted in your server, e.g. "/autoscaler". Requests under it are served with
   * the prefix stripped; Express's `app.use(prefix, handler)` strips it already, which works too.
   * @default ''
   */
  basePath?: string;
  /** Bearer token every request but page.js/page.css must carry; undefined leaves auth to your server. */
  token?: string;
}

/** A Node request handler (also Express/Connect middleware) serving the page, status and metrics. */
export interface StatusHandler {
  (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void;
  /** Closes the Redis connection the handler opened and stops its metrics. */
  close(): Promise<void>;
}

/**
 * Security headers of every answer: no inline script (the page's code is page.js), no framing, no
 * MIME sniffing, nothing cached, no referrer leaving the page.
 */
const securityHeaders = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/**
 * Mounts the status page, GET status and (with a scaler) GET metrics in your own server. Given a
 * Redis client instead of a scaler, the page is read-only and works without any scaler in the
 * process: everything it shows is read from Redis, where the leader writes it.
 */
export function createStatusHandler(
  source: ScalerView | RedisClient,
  options: StatusHandlerOptions = {},
): StatusHandler {
  const scaler = isScaler(source) ? source : undefined;
  const config = scaler?.config ?? parseConfig(requireConfig(options.config), {});
  // With a scaler the handler reads through its own connection: a slow page must never queue
  // behind the scaler's sampling, nor a closed page close the scaler's client.
  const redis = scaler
    ? createRedisClient(redisConnectionOf(config.redis), { maxRetriesPerRequest: 1, lazyConnect: true })
    : (source as RedisClient);
  if (scaler) redis.on('error', () => {});
  const reader = new StatusReader(redis, config, scaler);
  const metrics = scaler ? createMetrics(scaler) : undefined;
  const base = (options.basePath ?? '').replace(/\/+$/, '');
  const auth = options.token ? new TokenAuth(options.token) : undefined;

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>> = {
    '/': async (_req, res) => send(res, 200, 'text/html; charset=utf-8', statusPageHtml(config.cluster)),
    '/page.js': async (_req, res) => send(res, 200, 'text/javascript; charset=utf-8', pageScript),
    '/page.css': async (_req, res) => send(res, 200, 'text/css; charset=utf-8', pageCss),
    '/icon.svg': async (_req, res) => send(res, 200, 'image/svg+xml', pageIcon),
    '/status': async (_req, res, url) => {
      const range = url.searchParams.get('range') ?? '1h';
      if (!(range in historyRanges)) {
        sendJson(res, 400, { error: `range must be one of ${Object.keys(historyRanges).join(', ')}` });
        return;
      }
      sendJson(res, 200, await reader.status(range as HistoryRange, Date.now()));
    },
    '/metrics': async (_req, res) => {
      if (metrics === undefined) {
        sendJson(res, 404, { error: 'metrics need the scaler in this process; scrape the scaler instead' });
        return;
      }
      send(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
    },
  };
  const open = new Set(['/page.js', '/page.css', '/icon.svg']);

  const handler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const original = new URL(
      (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/',
      'http://localhost',
    );
    const path = ownPath(url.pathname, original.pathname, base);
    if (path === undefined) {
      if (next) next();
      else sendJson(res, 404, { error: `not under ${base}/` });
      return;
    }
    // Relative links (page.js, status) need the page's URL to end in a slash.
    if ((path === '' || path === '/') && !original.pathname.endsWith('/')) {
      res.writeHead(301, { ...securityHeaders, location: `${original.pathname}/${original.search}` });
      res.end();
      return;
    }
    if (path === '/sign-in' && req.method === 'POST' && auth) {
      // Where the page is, as the browser sees it: right even when the framework stripped the prefix.
      const page = original.pathname.slice(0, -'sign-in'.length);
      void auth.signIn(req, res, page).catch((error: unknown) => fail(res, error));
      return;
    }
    const route = routes[path];
    if (route === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
      if (next) next();
      else if (route !== undefined) {
        res.setHeader('allow', 'GET, HEAD');
        sendJson(res, 405, { error: `${base}${path} answers GET and HEAD only` });
      } else
        sendJson(res, 404, { error: `no such page: GET ${base}${Object.keys(routes).join(`, ${base}`)}` });
      return;
    }
    if (auth && !open.has(path) && !auth.allows(req)) {
      for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
      refuse(res, 'This status page needs its token.');
      return;
    }
    route(req, res, url).catch((error: unknown) => fail(res, error));
  };
  return Object.assign(handler, {
    close: async () => {
      metrics?.stop();
      if (scaler) redis.disconnect();
    },
  });
}

/**
 * The path below the mount point, or undefined when the request is not for us. Express's
 * `app.use(prefix, …)` has already stripped the prefix (its originalUrl keeps it); a plain node:http
 * or Fastify server passes the full path.
 */
function ownPath(path: string, originalPath: string, base: string): string | undefined {
  if (base === '' || originalPath !== path) return path;
  if (path === base || path.startsWith(`${base}/`)) return path.slice(base.length);
  return undefined;
}

function isScaler(source: ScalerView | RedisClient): source is ScalerView {
  return typeof (source as Partial<ScalerView>).poolStates === 'function';
}

function requireConfig(config: StatusHandlerOptions['config']): AutoscalerConfig | AutoscalerConfigInput {
  if (config === undefined)
    throw new Error(
      'createStatusHandler(redis, options): options.config is required: the page must know the pools',
    );
  return config;
}

function fail(res: ServerResponse, error: unknown): void {
  // The message may quote a Redis URL; its password must not reach a browser.
  if (!res.headersSent) sendJson(res, 500, { error: redactUrlsIn(messageOf(error)) });
  else res.end();
}

export function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...securityHeaders, 'content-type': type });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}
