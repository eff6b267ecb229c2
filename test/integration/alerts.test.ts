import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Autoscaler } from '../../src/index.ts';
import { AlertLimiter } from '../../src/surfaces/alerts/limiter.ts';
import { captureLog } from '../helpers/capture-log.ts';
import { waitFor } from '../helpers/redis.ts';
import { fleetFixture } from './http-fixture.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A Slack stand-in on 127.0.0.1 that keeps every message it is sent. */
async function webhookReceiver(status = 200): Promise<{ url: string; texts: string[] }> {
  const texts: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      texts.push((JSON.parse(body) as { text: string }).text);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/services/T0/B0/s3cr3t`, texts };
}

describe('webhook alerts', () => {
  it('an incident that repeats every tick sends one message per kind and pool, without secrets', async () => {
    const hook = await webhookReceiver();
    // No room for any server: every tick hits the global cap while the backlog waits.
    const fx = fleetFixture('alerts', {
      maxServersTotal: 0,
      alerts: { webhookUrl: hook.url, oldestWaitMs: 1 },
      log: { level: 'info', summaryEveryMs: 1 }, // a summary per tick: the test's tick counter
    });
    cleanups.push(fx.cleanup);
    const scaler = new Autoscaler(fx.config);
    let ticks = 0;
    scaler.on('summary', () => ticks++);
    await fx.addSlowJobs(3);
    await scaler.start();
    // Both kinds arrive, then the incident goes on for many more ticks: no further message may follow.
    await waitFor('both alerts', async () => hook.texts.length >= 2);
    const ticksSoFar = ticks;
    await waitFor('ten more ticks at the cap', async () => ticks >= ticksSoFar + 10);
    await scaler.close();

    expect(hook.texts).toHaveLength(2);
    const [limit, wait] = [
      hook.texts.find((t) => t.includes('limit.hit')),
      hook.texts.find((t) => t.includes('oldest wait')),
    ];
    expect(limit).toMatch(new RegExp(`^\\[${fx.config.cluster}\\] limit.hit — pool main: `));
    expect(limit).toMatch(/limit maxServersTotal/);
    expect(wait).toMatch(/oldest wait \d+s in pool main \(alert above 0s\)/);
    for (const text of hook.texts) expect(text).not.toMatch(/s3cr3t|hooks|redis:\/\//);
  });

  it('a failing webhook is logged without its URL and does not stop the scaler', async () => {
    const hook = await webhookReceiver(500);
    const fx = fleetFixture('alerts-down', {
      maxServersTotal: 0,
      alerts: { webhookUrl: hook.url },
      log: { level: 'info', summaryEveryMs: 1 },
    });
    cleanups.push(fx.cleanup);
    const log = captureLog();
    const scaler = new Autoscaler(fx.config, { logger: log.logger });
    await fx.addSlowJobs(1);
    await scaler.start();
    await waitFor('the failure logged', async () => log.events('alert.failed').length > 0);
    const ticksSoFar = log.events('summary').length;
    await waitFor('ticks after it', async () => log.events('summary').length > ticksSoFar + 3);
    await scaler.close();
    const [failure] = log.events('alert.failed');
    expect(failure).toMatchObject({ kind: 'limit.hit', pool: 'main', error: 'webhook answered HTTP 500' });
    expect(JSON.stringify(log.lines)).not.toMatch(/s3cr3t/);
  });
});

describe('alert rate limits', () => {
  it('one message per key per quiet period, and a cap over all keys per rolling hour', () => {
    const limiter = new AlertLimiter(300_000, 3);
    expect(limiter.take('limit.hit:main', 0)).toBe('send');
    expect(limiter.take('limit.hit:main', 299_999)).toBe('too-soon');
    expect(limiter.take('server.failed:main', 1)).toBe('send');
    expect(limiter.take('server.failed:other', 2)).toBe('send');
    expect(limiter.take('server.hanging:main', 3)).toBe('hourly-cap');
    expect(limiter.take('limit.hit:main', 300_000)).toBe('hourly-cap');
    expect(limiter.take('limit.hit:main', 3_600_000)).toBe('send');
  });
});
