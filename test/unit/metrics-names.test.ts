import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import type { EventOf, ScalingEvent, ScalingEventName } from '../../src/core/events.ts';
import { createMetrics } from '../../src/surfaces/http/metrics.ts';
import type { PoolStatusView, ScalerView } from '../../src/surfaces/view.ts';
import { parseMetrics } from '../integration/http-fixture.ts';

const config = parseConfig(
  {
    provider: { type: 'local-process', workerEntry: resolve('examples/worker.ts') },
    pools: [
      { name: 'emails', queues: ['emails', 'bounces'], minServers: 1, maxServers: 7 },
      { name: 'video', queues: ['video'], maxServers: 3 },
    ],
  },
  {},
);

/** A scaler as the surfaces see it: the view they declare, with state a test sets and events it emits. */
function scalerView() {
  const events = new EventEmitter();
  const states = new Map<string, PoolStatusView>([
    [
      'emails',
      {
        last: { desired: 4, current: 3, reason: 'x' },
        lastDemand: { backlog: 9, oldestWaitMs: 1500, activeJobs: 2 },
        pausedQueues: ['bounces'],
        pin: { pool: 'emails', servers: 4, untilMs: undefined, setAtMs: 0 },
      },
    ],
    ['video', { last: undefined, lastDemand: undefined, pausedQueues: [], pin: undefined }],
  ]);
  const view: ScalerView = {
    config,
    health: async () => ({ role: 'leader', redisOk: true, lastTickAtMs: 0 }),
    isLeader: () => true,
    servers: async () => [],
    poolStates: () => states,
    hourlyCostUsd: async () => 0,
    on: <N extends ScalingEventName>(name: N, listener: (event: EventOf<N>) => void) =>
      events.on(name, listener),
    off: <N extends ScalingEventName>(name: N, listener: (event: EventOf<N>) => void) =>
      events.off(name, listener),
  };
  return { view, emit: (e: ScalingEvent) => events.emit(e.event, e) };
}

async function scrape(view: ScalerView) {
  const metrics = createMetrics(view);
  const samples = parseMetrics(await metrics.registry.metrics());
  return { metrics, samples };
}

function sampleValue(
  samples: Awaited<ReturnType<typeof scrape>>['samples'],
  name: string,
  labels: Record<string, string> = {},
) {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

describe('/metrics names (issue 19 stumbles)', () => {
  it('keeps the standard process_* and nodejs_* names, unprefixed, so stock dashboards match', async () => {
    const { samples, metrics } = await scrape(scalerView().view);
    metrics.stop();
    const names = new Set(samples.map((s) => s.name));
    expect(names).toContain('process_cpu_seconds_total');
    expect(names).toContain('process_resident_memory_bytes');
    expect(names).toContain('nodejs_heap_size_used_bytes');
    expect([...names].filter((n) => /^bullmq_autoscaler_(process|nodejs)_/.test(n))).toEqual([]);
  });

  it('says which version runs in bullmq_autoscaler_build_info', async () => {
    const { samples, metrics } = await scrape(scalerView().view);
    metrics.stop();
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    const info = samples.find((s) => s.name === 'bullmq_autoscaler_build_info');
    expect(info).toEqual({
      name: 'bullmq_autoscaler_build_info',
      labels: { version, nodejs_version: process.versions.node },
      value: 1,
    });
  });

  it('has every counter of every pool at 0 before its first event', async () => {
    const { samples, metrics } = await scrape(scalerView().view);
    metrics.stop();
    for (const pool of ['emails', 'video']) {
      expect(sampleValue(samples, 'bullmq_autoscaler_decision_changes_total', { pool })).toBe(0);
      expect(sampleValue(samples, 'bullmq_autoscaler_servers_created_total', { pool })).toBe(0);
      for (const state of ['failed', 'hanging', 'vanished'])
        expect(sampleValue(samples, 'bullmq_autoscaler_servers_lost_total', { pool, state })).toBe(0);
      for (const limit of ['maxServersTotal', 'maxHourlyCostUsd', 'backoff'])
        expect(sampleValue(samples, 'bullmq_autoscaler_limit_hits_total', { pool, limit })).toBe(0);
      expect(sampleValue(samples, 'bullmq_autoscaler_provisioning_seconds_count', { pool })).toBe(0);
      expect(sampleValue(samples, 'bullmq_autoscaler_servers', { pool, state: 'ready' })).toBe(0);
    }
    expect(sampleValue(samples, 'bullmq_autoscaler_sampler_errors_total')).toBe(0);
  });

  it('reports min, max, desired, pin and pause per pool', async () => {
    const { samples, metrics } = await scrape(scalerView().view);
    metrics.stop();
    expect(sampleValue(samples, 'bullmq_autoscaler_pool_min_servers', { pool: 'emails' })).toBe(1);
    expect(sampleValue(samples, 'bullmq_autoscaler_pool_max_servers', { pool: 'emails' })).toBe(7);
    expect(sampleValue(samples, 'bullmq_autoscaler_pool_max_servers', { pool: 'video' })).toBe(3);
    expect(sampleValue(samples, 'bullmq_autoscaler_pool_desired_servers', { pool: 'emails' })).toBe(4);
    expect(sampleValue(samples, 'bullmq_autoscaler_pool_pinned', { pool: 'emails' })).toBe(1);
    expect(sampleValue(samples, 'bullmq_autoscaler_pool_pinned', { pool: 'video' })).toBe(0);
    expect(sampleValue(samples, 'bullmq_autoscaler_pool_pin_servers', { pool: 'emails' })).toBe(4);
    expect(sampleValue(samples, 'bullmq_autoscaler_pool_pin_servers', { pool: 'video' })).toBeUndefined();
    expect(sampleValue(samples, 'bullmq_autoscaler_queue_paused', { pool: 'emails', queue: 'bounces' })).toBe(
      1,
    );
    expect(sampleValue(samples, 'bullmq_autoscaler_queue_paused', { pool: 'emails', queue: 'emails' })).toBe(
      0,
    );
  });

  it('times ticks and samples, and counts sampler errors, from the scaler’s events', async () => {
    const { view, emit } = scalerView();
    const metrics = createMetrics(view);
    emit({ event: 'tick.completed', durationMs: 40, sampleMs: 12 });
    emit({ event: 'tick.completed', durationMs: 30, sampleMs: null });
    emit({ event: 'sample.failed', error: 'timeout' });
    emit({
      event: 'server.vanished',
      pool: 'video',
      serverId: 'video-1',
      providerId: 'p',
      reason: 'exit code 1',
    });
    const samples = parseMetrics(await metrics.registry.metrics());
    metrics.stop();
    expect(sampleValue(samples, 'bullmq_autoscaler_tick_duration_seconds_count')).toBe(2);
    expect(sampleValue(samples, 'bullmq_autoscaler_tick_duration_seconds_sum')).toBeCloseTo(0.07, 6);
    expect(sampleValue(samples, 'bullmq_autoscaler_sample_duration_seconds_count')).toBe(1);
    expect(sampleValue(samples, 'bullmq_autoscaler_sampler_errors_total')).toBe(1);
    expect(
      sampleValue(samples, 'bullmq_autoscaler_servers_lost_total', { pool: 'video', state: 'vanished' }),
    ).toBe(1);
  });
});

describe('the metrics are documented and charted', () => {
  async function ourNames(): Promise<Set<string>> {
    const { metrics } = await scrape(scalerView().view);
    metrics.stop();
    const metadata = await metrics.registry.getMetricsAsJSON();
    return new Set(metadata.map((m) => m.name).filter((n) => n.startsWith('bullmq_autoscaler_')));
  }

  it('docs/operations.md lists exactly the bullmq_autoscaler_ metrics there are', async () => {
    const docs = readFileSync('docs/operations.md', 'utf8');
    const table = docs.slice(docs.indexOf('### Metrics'), docs.indexOf('## Alerts'));
    const documented = new Set(
      [...table.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => `bullmq_autoscaler_${m[1]}`),
    );
    expect([...documented].sort()).toEqual([...(await ourNames())].sort());
  });

  it('the Grafana dashboard in examples/ queries only metrics that exist', async () => {
    const dashboard = readFileSync('examples/grafana-dashboard.json', 'utf8');
    const exprs = [...dashboard.matchAll(/"expr": "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? '');
    expect(exprs.length).toBeGreaterThan(8);
    const ours = await ourNames();
    const queried = exprs.flatMap((e) =>
      [...e.matchAll(/\b(bullmq_autoscaler_[a-z0-9_]+|process_[a-z0-9_]+|nodejs_[a-z0-9_]+)/g)].map(
        (m) => m[1] ?? '',
      ),
    );
    const { samples, metrics } = await scrape(scalerView().view);
    metrics.stop();
    const exposed = new Set([...ours, ...samples.map((s) => s.name)]);
    expect(queried.filter((name) => !exposed.has(name))).toEqual([]);
  });
});
