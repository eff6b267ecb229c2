import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageOf } from '../../base/errors.ts';
import { redactUrlsIn } from '../../base/redact.ts';
import type { ScalerView } from '../view.ts';
import { recordHistory } from './history.ts';
import { createMetrics } from './metrics.ts';
import { statusPageHtml } from './page.ts';
import { statusOf } from './status.ts';

export interface HttpOptions {
  /** 0 picks a free port (tests). */
  port: number;
  host: string;
  /** How often the status page's charts get a point. */
  historyEveryMs?: number;
}

export interface HttpServer {
  /** Where it listens, e.g. http://127.0.0.1:9464. */
  url: string;
  close(): Promise<void>;
}

/** A tick older than this many ticks means the leader stopped deciding: /healthz says 503. */
const staleTicks = 10;

/** /metrics, /healthz, /status and the status page at /. Read-only: nothing here changes the fleet. */
export async function startHttpServer(scaler: ScalerView, options: HttpOptions): Promise<HttpServer> {
  const metrics = createMetrics(scaler);
  const recorder = recordHistory(scaler, options.historyEveryMs ?? 10_000);
  const routes: Record<string, (res: ServerResponse) => Promise<void>> = {
    '/metrics': async (res) => {
      send(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
    },
    '/healthz': async (res) => {
      const health = await scaler.health();
      const ageMs = health.lastTickAtMs === undefined ? null : Date.now() - health.lastTickAtMs;
      const stale = health.role === 'leader' && ageMs !== null && ageMs > staleTicks * scaler.config.tickMs;
      const ok = health.redisOk && !stale;
      sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unhealthy', ...health, lastTickAgeMs: ageMs });
    },
    '/status': async (res) => {
      sendJson(res, 200, await statusOf(scaler, recorder.history.points()));
    },
    '/': async (res) => {
      send(res, 200, 'text/html; charset=utf-8', statusPageHtml(scaler.config.cluster));
    },
  };
  const server = createServer((req, res) => {
    void handle(routes, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `http.port: cannot listen on ${options.host}:${options.port} (${error.code ?? error.message}); ` +
            'choose a free port or set HTTP_PORT',
        ),
      ),
    );
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      recorder.stop();
      metrics.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(
  routes: Record<string, (res: ServerResponse) => Promise<void>>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const route = routes[path];
  if (req.method !== 'GET' || route === undefined) {
    sendJson(res, 404, { error: `no such page: GET ${Object.keys(routes).join(', ')}` });
    return;
  }
  try {
    await route(res);
  } catch (error) {
    // The message may quote a Redis URL; its password must not reach a browser.
    sendJson(res, 500, { error: redactUrlsIn(messageOf(error)) });
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}
