import { Counter, Histogram, type Registry } from 'prom-client';
import { planLimits } from '../../core/plan.ts';
import { type ScalerView, subscribe } from '../view.ts';

export const metricPrefix = 'bullmq_autoscaler_';
const prefix = metricPrefix;

/** Where a tick's time is expected to fall: well under tickMs (default 1 s), with room for a slow Redis. */
const tickBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Counters and histograms fed by the scaler's events; returns the unsubscribe. Every pool's
 * series exist from the first scrape at 0, so `rate()` and `increase()` see the first event too
 * and a dashboard shows 0 rather than "no data".
 */
export function countEvents(scaler: ScalerView, registers: Registry[], pools: string[]): () => void {
  const decisions = poolCounter(
    registers,
    'decision_changes_total',
    'Decisions that changed a pool’s desired or current count.',
  );
  const created = poolCounter(registers, 'servers_created_total', 'Servers the provider confirmed created.');
  const lost = new Counter({
    name: `${prefix}servers_lost_total`,
    help: 'Servers that failed, hung or vanished and were replaced.',
    labelNames: ['pool', 'state'],
    registers,
  });
  const providerErrors = new Counter({
    name: `${prefix}provider_errors_total`,
    help: 'Failed provider API calls, by operation.',
    labelNames: ['operation', 'retryable'],
    registers,
  });
  const limits = new Counter({
    name: `${prefix}limit_hits_total`,
    help: 'limit.hit events: a guard rail held back creates.',
    labelNames: ['pool', 'limit'],
    registers,
  });
  const samplerErrors = new Counter({
    name: `${prefix}sampler_errors_total`,
    help: 'Samples of the queues that failed (sample.failed); each tick without one holds every pool.',
    registers,
  });
  const boot = new Histogram({
    name: `${prefix}provisioning_seconds`,
    help: 'From the create call to the worker’s first heartbeat.',
    labelNames: ['pool'],
    buckets: [5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600],
    registers,
  });
  const tick = new Histogram({
    name: `${prefix}tick_duration_seconds`,
    help: 'How long one leader tick took: sample, lifecycle, decide, act (and reconcile when due).',
    buckets: tickBuckets,
    registers,
  });
  const sample = new Histogram({
    name: `${prefix}sample_duration_seconds`,
    help: 'How long reading every pool’s queues from Redis took, per tick.',
    buckets: tickBuckets,
    registers,
  });
  samplerErrors.inc(0);
  for (const pool of pools) {
    decisions.inc({ pool }, 0);
    created.inc({ pool }, 0);
    for (const state of ['failed', 'hanging', 'vanished']) lost.inc({ pool, state }, 0);
    for (const limit of planLimits) limits.inc({ pool, limit }, 0);
    boot.zero({ pool });
  }
  const unsubscribers = [
    subscribe(scaler, 'decision', (e) => decisions.inc({ pool: e.pool })),
    subscribe(scaler, 'server.created', (e) => created.inc({ pool: e.pool })),
    subscribe(scaler, 'server.failed', (e) => lost.inc({ pool: e.pool, state: 'failed' })),
    subscribe(scaler, 'server.hanging', (e) => lost.inc({ pool: e.pool, state: 'hanging' })),
    subscribe(scaler, 'server.vanished', (e) => lost.inc({ pool: e.pool, state: 'vanished' })),
    subscribe(scaler, 'provider.error', (e) =>
      providerErrors.inc({ operation: e.operation, retryable: String(e.retryable) }),
    ),
    subscribe(scaler, 'limit.hit', (e) => limits.inc({ pool: e.pool, limit: e.limit })),
    subscribe(scaler, 'server.ready', (e) => boot.observe({ pool: e.pool }, e.bootMs / 1000)),
    subscribe(scaler, 'sample.failed', () => samplerErrors.inc()),
    subscribe(scaler, 'tick.completed', (e) => {
      tick.observe(e.durationMs / 1000);
      if (e.sampleMs !== null) sample.observe(e.sampleMs / 1000);
    }),
  ];
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}

function poolCounter(registers: Registry[], name: string, help: string): Counter<'pool'> {
  return new Counter({ name: `${prefix}${name}`, help, labelNames: ['pool'], registers });
}
