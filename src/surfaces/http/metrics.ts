import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ServerRecord } from '../../fleet/server-record.ts';
import { type ScalerView, subscribe } from '../view.ts';

const prefix = 'bullmq_autoscaler_';

/**
 * Prometheus metrics of one scaler. Gauges are read from the scaler at scrape time, so a scrape
 * never shows a value older than the last tick; counters and the histogram follow events.
 */
export function createMetrics(scaler: ScalerView): { registry: Registry; stop: () => void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  const registers = [registry];
  // A standby's pool states are whatever it saw when it last led: stale, so not reported.
  const pools = () => (scaler.isLeader() ? [...scaler.poolStates()] : []);

  poolGauge(registers, 'pool_backlog_jobs', 'Jobs ready to run and not yet started, per pool.', () =>
    pools().map(([pool, s]) => [pool, s.lastDemand?.backlog]),
  );
  poolGauge(registers, 'pool_oldest_wait_seconds', 'Wait of the oldest ready job, per pool.', () =>
    pools().map(([pool, s]) => [pool, s.lastDemand && s.lastDemand.oldestWaitMs / 1000]),
  );
  poolGauge(registers, 'pool_desired_servers', 'Servers the last decision wants, per pool.', () =>
    pools().map(([pool, s]) => [pool, s.last?.desired]),
  );
  new Gauge({
    name: `${prefix}servers`,
    help: 'Servers recorded in the fleet, by pool and lifecycle state.',
    labelNames: ['pool', 'state'],
    registers,
    async collect() {
      this.reset();
      for (const [key, n] of countByPoolAndState(await scaler.servers())) {
        const [pool = '', state = ''] = key.split('\u0000');
        this.set({ pool, state }, n);
      }
    },
  });
  new Gauge({
    name: `${prefix}leader`,
    help: '1 while this instance is the leader, 0 on a standby.',
    registers,
    async collect() {
      this.set((await scaler.health()).role === 'leader' ? 1 : 0);
    },
  });
  new Gauge({
    name: `${prefix}cost_per_hour_usd`,
    help: 'What the servers still billed cost per hour (USD), by the provider’s prices; absent when it cannot tell.',
    registers,
    async collect() {
      this.reset();
      const cost = await scaler.hourlyCostUsd();
      if (cost !== undefined) this.set(cost);
    },
  });
  return { registry, stop: countEvents(scaler, registers) };
}

function poolGauge(
  registers: Registry[],
  name: string,
  help: string,
  read: () => [string, number | undefined][],
): void {
  new Gauge({
    name: `${prefix}${name}`,
    help,
    labelNames: ['pool'],
    registers,
    collect() {
      this.reset();
      for (const [pool, value] of read()) if (value !== undefined) this.set({ pool }, value);
    },
  });
}

function countByPoolAndState(records: ServerRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) {
    const key = `${r.pool}\u0000${r.state}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Counters and the boot histogram, fed by the scaler's events; returns the unsubscribe. */
function countEvents(scaler: ScalerView, registers: Registry[]): () => void {
  const decisions = new Counter({
    name: `${prefix}decision_changes_total`,
    help: 'Decisions that changed a pool’s desired or current count.',
    labelNames: ['pool'],
    registers,
  });
  const created = new Counter({
    name: `${prefix}servers_created_total`,
    help: 'Servers the provider confirmed created.',
    labelNames: ['pool'],
    registers,
  });
  const lost = new Counter({
    name: `${prefix}servers_lost_total`,
    help: 'Servers that failed or hung and were replaced.',
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
  const boot = new Histogram({
    name: `${prefix}provisioning_seconds`,
    help: 'From the create call to the worker’s first heartbeat.',
    labelNames: ['pool'],
    buckets: [5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600],
    registers,
  });
  const unsubscribers = [
    subscribe(scaler, 'decision', (e) => decisions.inc({ pool: e.pool })),
    subscribe(scaler, 'server.created', (e) => created.inc({ pool: e.pool })),
    subscribe(scaler, 'server.failed', (e) => lost.inc({ pool: e.pool, state: 'failed' })),
    subscribe(scaler, 'server.hanging', (e) => lost.inc({ pool: e.pool, state: 'hanging' })),
    subscribe(scaler, 'provider.error', (e) =>
      providerErrors.inc({ operation: e.operation, retryable: String(e.retryable) }),
    ),
    subscribe(scaler, 'limit.hit', (e) => limits.inc({ pool: e.pool, limit: e.limit })),
    subscribe(scaler, 'server.ready', (e) => boot.observe({ pool: e.pool }, e.bootMs / 1000)),
  ];
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}
