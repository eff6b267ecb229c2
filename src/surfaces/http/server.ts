import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScalerView } from '../view.ts';
import { createStatusHandler, sendJson } from './handler.ts';

export interface HttpOptions {
  /** 0 picks a free port (tests). */
  port: number;
  host: string;
  /** Bearer token for everything but /healthz; undefined serves without auth. Never logged. */
  token?: string | undefined;
}

export interface HttpServer {
  /** Where it listens, e.g. http://127.0.0.1:9464. */
  url: string;
  close(): Promise<void>;
}

/** A tick older than this many ticks means the leader stopped deciding: /healthz says 503. */
const staleTicks = 10;

/**
 * The built-in server: the status handler at / plus /healthz. Read-only: nothing here changes the
 * fleet. /healthz stays open without the token so load balancers and orchestrators can probe it;
 * it tells only role and liveness.
 */
export async function startHttpServer(scaler: ScalerView, options: HttpOptions): Promise<HttpServer> {
  const handler = createStatusHandler(scaler, { token: options.token });
  const server = createServer((req, res) => {
    // HEAD is GET without the body (Node leaves it out), as probes and `curl -I` expect.
    const probe = req.method === 'GET' || req.method === 'HEAD';
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/healthz' || !probe) {
      handler(req, res);
      return;
    }
    void healthz(scaler).then(
      ({ status, body }) => sendJson(res, status, body),
      () => sendJson(res, 503, { status: 'unhealthy' }),
    );
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
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function healthz(scaler: ScalerView): Promise<{ status: number; body: object }> {
  const health = await scaler.health();
  const ageMs = health.lastTickAtMs === undefined ? null : Date.now() - health.lastTickAtMs;
  const stale = health.role === 'leader' && ageMs !== null && ageMs > staleTicks * scaler.config.tickMs;
  const ok = health.redisOk && !stale;
  return {
    status: ok ? 200 : 503,
    body: { status: ok ? 'ok' : 'unhealthy', ...health, lastTickAgeMs: ageMs },
  };
}
