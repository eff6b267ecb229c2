// Regenerates docs/status-page.png and docs/status-page-phone.png from a real run:
//   npx tsx test/helpers/status-page-screenshot.ts            (about six minutes)
// Two pools of local-process servers on the Redis at REDIS_URL (its own key prefix, removed
// afterwards) take six bursts of work; the page is photographed at 1280 and 390 px.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { chromium } from 'playwright-core';
import { createLocalProcessProvider } from '../../providers/local-process/index.ts';
import { ownerTagOf } from '../../providers/provider.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { deletePrefix } from '../../src/dev/delete-prefix.ts';
import { freePort } from '../../src/dev/ensure-redis.ts';
import { Autoscaler } from '../../src/index.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const id = randomBytes(3).toString('hex');
const stateDir = mkdtempSync(join(tmpdir(), 'status-shot-'));
const port = await freePort();
const base = await loadConfigFile('examples/local.config.json', { REDIS_URL: url, HTTP_PORT: String(port) });
const config = {
  ...base,
  cluster: `shot-${id}`,
  redis: { url, bullmqPrefix: `shot-${id}` },
  provider: { ...base.provider, workerEntry: resolve('examples/worker.ts'), stateDir },
  pools: base.pools.map((p) => ({ ...p, scaleDownDelayMs: 30_000, idleToZeroMs: 30_000 })),
};
const prefix = config.redis.bullmqPrefix;
const emails = new Queue('emails', { connection: { url }, prefix });
const reports = new Queue('reports', { connection: { url }, prefix });
const scaler = new Autoscaler(config);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const burst = async (e: number, r: number) => {
  await emails.addBulk(Array.from({ length: e }, () => ({ name: 'send', data: { ms: 500 } })));
  await reports.addBulk(Array.from({ length: r }, () => ({ name: 'build', data: { ms: 3000 } })));
};

try {
  await scaler.start();
  await reports.add('build', { ms: 3000 }, { delay: 600_000 });
  for (const [e, r] of [
    [200, 20],
    [400, 40],
    [120, 10],
    [60, 30],
    [500, 10],
    [300, 30],
  ] as const) {
    await burst(e, r);
    await sleep(60_000);
  }
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`http://127.0.0.1:${port}/#range=15m`);
  await page.waitForSelector('body[data-loaded="true"]');
  await page.screenshot({ path: 'docs/status-page.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await sleep(500);
  await page.screenshot({ path: 'docs/status-page-phone.png', fullPage: true });
  await browser.close();
} finally {
  await scaler.close();
  const provider = createLocalProcessProvider({
    workerEntry: resolve('examples/worker.ts'),
    stateDir,
    cluster: config.cluster,
  });
  for (const server of await provider.list(ownerTagOf(config.cluster)))
    await provider.destroy(server.providerId);
  await Promise.all([emails.close(), reports.close()]);
  await deletePrefix(url, prefix);
  rmSync(stateDir, { recursive: true, force: true });
}
