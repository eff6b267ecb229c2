import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { Autoscaler } from '../../src/index.ts';
import { startHttpServer } from '../../src/surfaces/http/server.ts';
import type { StatusBody } from '../../src/surfaces/http/status.ts';
import { waitFor } from '../helpers/redis.ts';
import { fleetFixture } from './http-fixture.ts';

const executablePath = '/usr/bin/chromium';
/** Outside CI a machine without Debian's chromium skips, naming it; in CI (.ci/run installs it) that fails. */
const chromiumMissing = existsSync(executablePath)
  ? undefined
  : `Debian's chromium is not at ${executablePath} (apt-get install chromium); the status page browser test skips`;
if (chromiumMissing && process.env.CI) throw new Error(chromiumMissing);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function launch(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
  cleanups.push(() => browser.close());
  return browser;
}

/** Runs ticks until `done`, as the scaler's timer would. */
async function tickUntil(scaler: Autoscaler, what: string, done: () => Promise<boolean> | boolean) {
  await waitFor(what, async () => {
    await scaler.tick();
    return done();
  });
}

/** The wait chart's y for a value, from its own tick labels: the target line must sit where its value is. */
async function yOfValue(page: Page, chart: string, value: number): Promise<number> {
  const ticks = await page
    .locator(`svg[data-chart="${chart}"] text[data-y-tick]`)
    .evaluateAll((nodes) =>
      nodes.map((n): [number, number] => [
        Number(n.getAttribute('data-y-tick')),
        Number(n.getAttribute('y')) - 3,
      ]),
    );
  const [v0, y0] = ticks[0] ?? [0, 0];
  const [v1, y1] = ticks.at(-1) ?? [1, 0];
  return y0 + ((value - v0) / (v1 - v0)) * (y1 - y0);
}

describe.skipIf(chromiumMissing !== undefined)(
  chromiumMissing ?? 'the status page in headless Chromium',
  () => {
    it('charts the target, marks the scale-up with its reason, lists queues, and keeps history over a restart', async () => {
      const fx = fleetFixture('page', {});
      fx.config.pools = [{ ...(fx.config.pools?.[0] ?? { name: 'main' }), queues: ['jobs', 'later'] }];
      cleanups.push(fx.cleanup);
      const later = new Queue('later', {
        connection: { url: fx.config.redis?.url ?? '' },
        prefix: fx.config.redis?.bullmqPrefix ?? '',
      });
      cleanups.push(() => later.close());
      // Five jobs due in an hour: upcoming delayed, no demand.
      await later.addBulk(
        Array.from({ length: 5 }, (_, i) => ({ name: 'later', data: { i }, opts: { delay: 3_600_000 } })),
      );

      const first = new Autoscaler(fx.config);
      cleanups.push(() => first.close());
      await fx.addSlowJobs(8);
      await tickUntil(first, 'a ready server', async () =>
        (await first.servers()).some((s) => s.state === 'ready'),
      );
      const firstStartedAtMs = Date.now();
      await first.close();

      // A new scaler process: its memory is empty, the history in Redis is not.
      const second = new Autoscaler(fx.config);
      cleanups.push(() => second.close());
      const http = await startHttpServer(second, { port: 0, host: '127.0.0.1' });
      cleanups.push(() => http.close());
      // Ticking on its own timer from here on, as in production: the page reads what it writes.
      await second.start();
      await waitFor('the second scaler leading', async () => second.isLeader());
      const status = (await (await fetch(`${http.url}/status?range=15m`)).json()) as StatusBody;
      const main = status.pools[0];
      expect(main?.history[0]?.atMs).toBeLessThan(firstStartedAtMs);
      expect(main?.marks.find((m) => m.to > m.from)?.words).toMatch(/^Adding \d+ servers? \(0 → \d+\)/);

      const browser = await launch();
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const external: string[] = [];
      const consoleErrors: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(http.url)) external.push(r.url());
      });
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      await page.goto(`${http.url}/#range=15m`);
      await page.waitForSelector('body[data-loaded="true"][data-range="15m"]');

      const target = page.locator('svg[data-chart="wait-main"] line[data-line="target"]');
      expect(await target.count()).toBe(1);
      const targetY = Number(await target.getAttribute('y1'));
      expect(Math.abs(targetY - (await yOfValue(page, 'wait-main', 2)))).toBeLessThan(1);
      expect(await page.locator('svg[data-chart="servers-main"] line[data-line="max"]').count()).toBe(1);
      expect(await page.locator('svg[data-chart="servers-main"] path[data-series="desired"]').count()).toBe(
        1,
      );
      expect(await page.locator('svg[data-chart="servers-main"] path[data-series="ready"]').count()).toBe(1);
      const upMark = page.locator('svg[data-chart="servers-main"] g[data-mark="up"] title').first();
      expect(await upMark.textContent()).toMatch(/0 → \d+ servers: Adding/);
      expect(await page.locator('[data-decision="main"]').textContent()).toMatch(
        /^(Adding|Removing|Holding) /,
      );

      const laterRow = page.locator('tr[data-queue="later"] td');
      expect(await laterRow.nth(4).textContent()).toBe('0 / 5');
      expect(await page.locator('tr[data-queue="jobs"]').count()).toBe(1);
      const shownServers = await page
        .locator('tr[data-server]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-server')));
      expect(shownServers.sort()).toEqual((await second.servers()).map((s) => s.id).sort());
      expect(await page.locator('tr[data-event]').count()).toBeGreaterThan(0);
      expect(external).toEqual([]);
      expect(consoleErrors.join('\n')).toBe('');
      // The picture in the docs changes only when asked for, so a test run leaves the tree clean.
      const screenshot =
        process.env.UPDATE_DOCS === '1' ? 'docs/status-page.png' : join(tmpdir(), 'status-page.png');
      await page.screenshot({ path: screenshot, fullPage: true });

      // A phone: everything readable without the page scrolling sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.locator('button[data-range="1h"]').click();
      await page.waitForSelector('body[data-range="1h"]');
      expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
      const chartBox = await page.locator('svg[data-chart="wait-main"]').boundingBox();
      expect(chartBox?.width).toBeGreaterThan(300);
      expect(chartBox?.width).toBeLessThanOrEqual(390);
      expect(await page.locator('svg[data-chart="wait-main"] line[data-line="target"]').count()).toBe(1);
      await page.screenshot({
        path:
          process.env.UPDATE_DOCS === '1'
            ? 'docs/status-page-phone.png'
            : join(tmpdir(), 'status-page-phone.png'),
        fullPage: true,
      });
    });
  },
);
