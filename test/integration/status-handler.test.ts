import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { expressApp } from '../../examples/express-status.ts';
import { fastifyApp } from '../../examples/fastify-status.ts';
import { ConfigError, parseConfig } from '../../src/config/load.ts';
import {
  Autoscaler as AutoscalerWithSurfaces,
  createStatusHandler,
  type StatusHandlerOptions,
} from '../../src/index.ts';
import { Autoscaler } from '../../src/scaler/autoscaler.ts';
import { tokenFrom } from '../../src/surfaces/compose.ts';
import type { StatusBody } from '../../src/surfaces/http/status.ts';
import { captureLog } from '../helpers/capture-log.ts';
import { waitFor } from '../helpers/redis.ts';
import { fleetFixture, freePort } from './http-fixture.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The user's own server: their routes, and ours under /ops/autoscaler. */
async function userServer(source: Parameters<typeof createStatusHandler>[0], options: StatusHandlerOptions) {
  const handler = createStatusHandler(source, { basePath: '/ops/autoscaler', ...options });
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/ops/autoscaler')) return handler(req, res);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('the app');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    await handler.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createStatusHandler in a node:http server under a path prefix', () => {
  it('without auth: page, script, status and metrics from a scaler in the process, with security headers', async () => {
    const fx = fleetFixture('mount');
    cleanups.push(fx.cleanup);
    const scaler = new Autoscaler(fx.config);
    cleanups.push(() => scaler.close());
    await fx.addSlowJobs(4);
    await waitFor('a decision', async () => {
      await scaler.tick();
      return scaler.poolStates().get('main')?.last !== undefined;
    });
    const url = await userServer(scaler, {});

    const bare = await fetch(`${url}/ops/autoscaler`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/ops/autoscaler/');
    const page = await fetch(`${url}/ops/autoscaler/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script src="page.js"></script>');
    expect(html).not.toMatch(/<script>|<style>| style="/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const script = await fetch(`${url}/ops/autoscaler/page.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain('function drawChart');

    const status = (await (await fetch(`${url}/ops/autoscaler/status?range=15m`)).json()) as StatusBody;
    expect(status).toMatchObject({ cluster: fx.config.cluster, range: '15m', health: { role: 'leader' } });
    expect(status.pools[0]?.queues[0]).toMatchObject({ queue: 'jobs' });
    const metrics = await fetch(`${url}/ops/autoscaler/metrics`);
    expect(await metrics.text()).toContain('bullmq_autoscaler_leader');
    expect((await fetch(`${url}/ops/autoscaler/status?range=2d`)).status).toBe(400);
    // The user's own routes stay theirs.
    expect(await (await fetch(`${url}/status`)).text()).toBe('the app');
  });

  it('with a token: 401 and a sign-in form without it; the bearer header or the signed-in cookie pass', async () => {
    const fx = fleetFixture('mount-auth');
    cleanups.push(fx.cleanup);
    const redis = new Redis(fx.config.redis?.url ?? '');
    cleanups.push(async () => void (await redis.quit()));
    const token = 'correct horse battery staple';
    // Read-only: a Redis client and the config, no scaler in the process.
    const url = await userServer(redis, { config: fx.config, token });
    const base = `${url}/ops/autoscaler`;

    const refused = await fetch(`${base}/status`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect(await refused.text()).toContain('<form method="post" action="sign-in">');
    expect((await fetch(`${base}/status`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    // The script and styles hold no data: the sign-in form needs its styles before any token.
    expect((await fetch(`${base}/page.css`)).status).toBe(200);

    const withHeader = await fetch(`${base}/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(withHeader.status).toBe(200);
    expect(((await withHeader.json()) as StatusBody).health.role).toBe('read-only');

    const wrongForm = await fetch(`${base}/sign-in`, {
      method: 'POST',
      body: new URLSearchParams({ token: 'guess' }),
      redirect: 'manual',
    });
    expect(wrongForm.status).toBe(401);
    const signIn = await fetch(`${base}/sign-in`, {
      method: 'POST',
      body: new URLSearchParams({ token }),
      redirect: 'manual',
    });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/ops/autoscaler/');
    const cookie = signIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    expect(cookie).toContain('Path=/ops/autoscaler/');
    const page = await fetch(`${base}/`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(page.status).toBe(200);
    // Without a scaler there are no metrics to serve, and it says so.
    const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(metrics.status).toBe(404);
    expect(await metrics.text()).toContain('scaler');
  });

  it('refuses a Redis client without the config it must show', () => {
    const redis = new Redis({ lazyConnect: true });
    expect(() => createStatusHandler(redis, {})).toThrow(/options\.config is required/);
    redis.disconnect();
  });

  it('works behind Express-style mounting, where the framework strips the prefix and keeps originalUrl', async () => {
    const fx = fleetFixture('mount-express');
    cleanups.push(fx.cleanup);
    const redis = new Redis(fx.config.redis?.url ?? '');
    cleanups.push(async () => void (await redis.quit()));
    // No basePath: with the prefix stripped by the framework the handler finds its place from originalUrl.
    const handler = createStatusHandler(redis, { config: parseConfig(fx.config, {}), token: 'mounted' });
    const server = createServer((req, res) => {
      // What app.use('/ops', handler) does to the request before calling the handler.
      const originalUrl = req.url ?? '/';
      Object.assign(req, { originalUrl, url: originalUrl.slice('/ops'.length) || '/' });
      handler(req, res, () => {
        res.writeHead(418);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      await handler.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await fetch(`${url}/ops`, { redirect: 'manual' })).headers.get('location')).toBe('/ops/');
    expect((await fetch(`${url}/ops/status`)).status).toBe(401);
    const signIn = await fetch(`${url}/ops/sign-in`, {
      method: 'POST',
      body: new URLSearchParams({ token: 'mounted' }),
      redirect: 'manual',
    });
    expect(signIn.headers.get('location')).toBe('/ops/');
    const cookie = signIn.headers.get('set-cookie') ?? '';
    expect(cookie).toContain('Path=/ops/;');
    expect(
      (await fetch(`${url}/ops/status`, { headers: { cookie: cookie.split(';')[0] ?? '' } })).status,
    ).toBe(200);
    // Not ours: handed on to the next middleware.
    expect((await fetch(`${url}/ops/elsewhere`)).status).toBe(418);
  });
});

describe('the examples: the page mounted in Express and in Fastify', () => {
  it('Express: behind the app’s own guard, under its prefix, beside its routes', async () => {
    const fx = fleetFixture('express');
    cleanups.push(fx.cleanup);
    const redis = new Redis(fx.config.redis?.url ?? '');
    cleanups.push(async () => void (await redis.quit()));
    let guarded = 0;
    const { app, close } = expressApp(redis, parseConfig(fx.config, {}), (_req, _res, next) => {
      guarded++;
      next();
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    cleanups.push(async () => {
      await close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await (await fetch(`${url}/`)).text()).toBe('your app');
    expect((await fetch(`${url}/ops/autoscaler`, { redirect: 'manual' })).headers.get('location')).toBe(
      '/ops/autoscaler/',
    );
    const page = await fetch(`${url}/ops/autoscaler/`);
    expect(await page.text()).toContain('<script src="page.js">');
    const status = (await (await fetch(`${url}/ops/autoscaler/status`)).json()) as StatusBody;
    expect(status.health.role).toBe('read-only');
    expect(guarded).toBeGreaterThanOrEqual(3);
  });

  it('Fastify: with a token, the sign-in form’s post reaches the handler and its cookie opens the page', async () => {
    const fx = fleetFixture('fastify');
    cleanups.push(fx.cleanup);
    const redis = new Redis(fx.config.redis?.url ?? '');
    cleanups.push(async () => void (await redis.quit()));
    const app = fastifyApp(redis, parseConfig(fx.config, {}), 'fastify-secret');
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const base = `${address}/ops/autoscaler`;
    expect(await (await fetch(`${address}/`)).text()).toBe('your app');
    expect((await fetch(`${base}/status`)).status).toBe(401);
    const signIn = await fetch(`${base}/sign-in`, {
      method: 'POST',
      body: new URLSearchParams({ token: 'fastify-secret' }),
      redirect: 'manual',
    });
    expect(signIn.status).toBe(303);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const status = await fetch(`${base}/status?range=24h`, { headers: { cookie } });
    expect(status.status).toBe(200);
    expect(((await status.json()) as StatusBody).range).toBe('24h');
  });
});

describe('the built-in server with a token from the environment', () => {
  it('requires it everywhere but /healthz, and never logs it', async () => {
    const fx = fleetFixture('builtin-auth');
    cleanups.push(fx.cleanup);
    const variable = `STATUS_TOKEN_${process.pid}`;
    const token = 'from-the-environment-7c1f';
    process.env[variable] = token;
    cleanups.push(async () => {
      delete process.env[variable];
    });
    const port = await freePort();
    const log = captureLog();
    // The public Autoscaler: the one that starts the surfaces its config turns on.
    const scaler = new AutoscalerWithSurfaces(
      { ...fx.config, http: { port, host: '127.0.0.1', tokenEnv: variable } },
      { logger: log.logger },
    );
    cleanups.push(() => scaler.close());
    await scaler.start();
    const url = `http://127.0.0.1:${port}`;
    expect((await fetch(`${url}/status`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      200,
    );
    expect((await fetch(`${url}/healthz`)).status).not.toBe(401);
    expect(log.events('http.listening')[0]).toMatchObject({ auth: 'bearer token' });
    expect(JSON.stringify(log.lines)).not.toContain(token);
  });

  it('a named but empty variable is a config error naming http.tokenEnv, not a page without auth', () => {
    expect(() => tokenFrom('STATUS_TOKEN', { STATUS_TOKEN: ' ' })).toThrow(ConfigError);
    expect(() => tokenFrom('STATUS_TOKEN', {})).toThrow(
      /^http\.tokenEnv: the environment variable STATUS_TOKEN/,
    );
    expect(tokenFrom(undefined, { STATUS_TOKEN: 'x' })).toBeUndefined();
    expect(tokenFrom('STATUS_TOKEN', { STATUS_TOKEN: 'x' })).toBe('x');
  });
});
