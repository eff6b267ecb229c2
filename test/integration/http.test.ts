import { afterEach, describe, expect, it } from 'vitest';
import type { ServerState } from '../../src/core/types.ts';
import { Autoscaler } from '../../src/index.ts';
import { startHttpServer } from '../../src/surfaces/http/server.ts';
import type { StatusBody } from '../../src/surfaces/http/status.ts';
import { waitFor } from '../helpers/redis.ts';
import { fleetFixture, freePort, parseMetrics } from './http-fixture.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const states: ServerState[] = [
  'requested',
  'creating',
  'booting',
  'ready',
  'draining',
  'deleting',
  'deleted',
  'failed',
  'hanging',
];

describe('/metrics and /status', () => {
  it('mirror the scaler between ticks: demand, decision, fleet, boot times and counters', async () => {
    const fx = fleetFixture('http');
    cleanups.push(fx.cleanup);
    const scaler = new Autoscaler(fx.config);
    cleanups.push(() => scaler.close());
    const http = await startHttpServer(scaler, { port: 0, host: '127.0.0.1' });
    cleanups.push(() => http.close());
    const bootMs: number[] = [];
    let decisions = 0;
    scaler.on('server.ready', (e) => bootMs.push(e.bootMs)).on('decision', () => decisions++);
    await fx.addSlowJobs(5);
    await waitFor('a ready server', async () => {
      await scaler.tick();
      return bootMs.length > 0;
    });

    const samples = parseMetrics(await (await fetch(`${http.url}/metrics`)).text());
    const value = (name: string, labels: Record<string, string> = {}) =>
      samples.find(
        (s) =>
          s.name === `bullmq_autoscaler_${name}` &&
          Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )?.value;
    const state = scaler.poolStates().get('main');
    expect(value('pool_backlog_jobs', { pool: 'main' })).toBe(state?.lastDemand?.backlog);
    expect(value('pool_oldest_wait_seconds', { pool: 'main' })).toBe(
      (state?.lastDemand?.oldestWaitMs ?? -1) / 1000,
    );
    expect(value('pool_desired_servers', { pool: 'main' })).toBe(state?.last?.desired);
    expect(state?.last?.desired).toBeGreaterThan(0);
    const fleet = samples.filter((s) => s.name === 'bullmq_autoscaler_servers');
    expect(fleet.reduce((n, s) => n + s.value, 0)).toBe((await scaler.servers()).length);
    for (const s of fleet) expect(states).toContain(s.labels.state);
    expect(value('leader')).toBe(1);
    // Local processes cost nothing: the gauge is there, at zero.
    expect(value('cost_per_hour_usd')).toBe(0);
    expect(value('provisioning_seconds_count', { pool: 'main' })).toBe(bootMs.length);
    expect(value('provisioning_seconds_sum', { pool: 'main' })).toBeCloseTo(
      bootMs.reduce((a, b) => a + b, 0) / 1000,
      6,
    );
    expect(value('decision_changes_total', { pool: 'main' })).toBe(decisions);
    // prom-client's defaults keep their standard, unprefixed names.
    expect(samples.find((s) => s.name === 'process_cpu_seconds_total')?.value).toBeGreaterThan(0);

    const status = (await (await fetch(`${http.url}/status`)).json()) as StatusBody;
    expect(status.cluster).toBe(fx.config.cluster);
    expect(status.health).toMatchObject({ role: 'leader', redisOk: true });
    expect(status.pools).toEqual([
      expect.objectContaining({
        pool: 'main',
        queues: [expect.objectContaining({ queue: 'jobs' })],
        backlog: state?.lastDemand?.backlog,
        desired: state?.last?.desired,
        decision: expect.stringMatching(/^(Adding|Removing|Holding) /),
        pin: null,
      }),
    ]);
    expect(status.servers.map((s) => s.id).sort()).toEqual((await scaler.servers()).map((s) => s.id).sort());

    const missing = await fetch(`${http.url}/nope`);
    expect(missing.status).toBe(404);
    await missing.body?.cancel();

    // HEAD answers like GET, without a body; other methods are told what the page answers.
    for (const path of ['/healthz', '/metrics', '/status', '/']) {
      const get = await fetch(`${http.url}${path}`);
      await get.body?.cancel();
      const head = await fetch(`${http.url}${path}`, { method: 'HEAD' });
      expect([path, head.status, head.headers.get('content-type')]).toEqual([
        path,
        get.status,
        get.headers.get('content-type'),
      ]);
      expect(await head.text()).toBe('');
    }
    const post = await fetch(`${http.url}/status`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    await post.body?.cancel();
  });
});

describe('/healthz', () => {
  async function health(url: string) {
    const response = await fetch(`${url}/healthz`);
    return { status: response.status, body: (await response.json()) as { role: string; redisOk: boolean } };
  }

  it('says leader on the lease holder and standby on the other, and follows a hand-over', async () => {
    const fx = fleetFixture('healthz');
    cleanups.push(fx.cleanup);
    const [portA, portB] = [await freePort(), await freePort()];
    const lifecycle = { leaseTtlMs: 1_000 };
    const a = new Autoscaler({ ...fx.config, lifecycle, http: { port: portA } });
    const b = new Autoscaler({ ...fx.config, lifecycle, http: { port: portB } });
    cleanups.push(() => b.close());
    const urlA = `http://127.0.0.1:${portA}`;
    const urlB = `http://127.0.0.1:${portB}`;

    await a.start();
    await waitFor('a leads', async () => (await health(urlA)).body.role === 'leader');
    await b.start();
    await b.tick(); // a full attempt at the lease, which a still holds
    expect(await health(urlB)).toEqual({
      status: 200,
      body: expect.objectContaining({ role: 'standby', redisOk: true }),
    });
    expect((await health(urlA)).body.role).toBe('leader');

    await a.close();
    await expect(fetch(`${urlA}/healthz`)).rejects.toThrow();
    await waitFor('b takes over', async () => (await health(urlB)).body.role === 'leader');
    expect((await health(urlB)).status).toBe(200);
  });
});
