import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { Autoscaler } from '../../src/index.ts';
import { startHttpServer } from '../../src/surfaces/http/server.ts';
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

describe.skipIf(chromiumMissing !== undefined)(
  chromiumMissing ?? 'the status page in headless Chromium',
  () => {
    it('renders every pool, every server and the wait and server charts', async () => {
      const fx = fleetFixture('page');
      cleanups.push(fx.cleanup);
      const scaler = new Autoscaler(fx.config);
      cleanups.push(() => scaler.close());
      const http = await startHttpServer(scaler, { port: 0, host: '127.0.0.1', historyEveryMs: 50 });
      cleanups.push(() => http.close());
      let ready = 0;
      scaler.on('server.ready', () => ready++);
      await fx.addSlowJobs(8);
      await waitFor('a ready server and a few chart points', async () => {
        await scaler.tick();
        const status = (await (await fetch(`${http.url}/status`)).json()) as { history: unknown[] };
        return ready > 0 && status.history.length >= 3;
      });

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
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const external: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(http.url)) external.push(r.url());
      });
      await page.goto(`${http.url}/`);
      await page.waitForSelector('body[data-loaded="true"]');

      const servers = await scaler.servers();
      const state = scaler.poolStates().get('main');
      const poolRow = page.locator('tr[data-pool="main"]');
      await expect.poll(() => poolRow.count()).toBe(1);
      expect(await poolRow.locator('td').nth(0).textContent()).toContain('jobs');
      expect(await poolRow.locator('td').nth(1).textContent()).toBe(String(state?.lastDemand?.backlog));
      expect(await page.locator('#role').textContent()).toBe('leader');
      const shownServers = await page
        .locator('tr[data-server]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-server')));
      expect(shownServers.sort()).toEqual(servers.map((s) => s.id).sort());
      expect(servers.length).toBeGreaterThan(0);
      expect(state?.last?.desired).toBeGreaterThan(0);
      for (const chart of ['wait-main', 'servers-main']) {
        const points = await page
          .locator(`svg[data-chart="${chart}"] polyline`)
          .first()
          .getAttribute('points');
        expect(points?.trim().split(' ').length).toBeGreaterThanOrEqual(3);
      }
      expect(external).toEqual([]);
      // The picture in the docs changes only when asked for, so a test run leaves the tree clean.
      const screenshot =
        process.env.UPDATE_DOCS === '1' ? 'docs/status-page.png' : join(tmpdir(), 'status-page.png');
      await page.screenshot({ path: screenshot, fullPage: true });
    });
  },
);
