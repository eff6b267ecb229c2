import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { packageVersion } from '../../base/version.ts';
import { allStates } from '../../core/server-state.ts';
import type { ServerRecord } from '../../fleet/server-record.ts';
import type { ScalerView } from '../view.ts';
import { countEvents, metricPrefix as prefix } from './metrics-events.ts';

export interface ScalerMetrics {
  /** Serve `await registry.metrics()` with `registry.contentType` from any HTTP server. */
  registry: Registry;
  /** Unsubscribes from the scaler's events. */
  stop: () => void;
}

/**
 * Prometheus metrics of one scaler. Gauges are read from the scaler at scrape time, so a scrape
 * never shows a value older than the last tick; counters and histograms follow events. The
 * process and Node.js metrics keep prom-client's standard names (`process_*`, `nodejs_*`), so
 * stock Node.js dashboards work; everything of ours is under `bullmq_autoscaler_`.
 */
export function createMetrics(scaler: ScalerView): ScalerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const poolNames = scaler.config.pools.map((p) => p.name);
  // A standby's pool states are whatever it saw when it last led: stale, so not reported.
  const pools = () => (scaler.isLeader() ? [...scaler.poolStates()] : []);

  new Gauge({
    name: `${prefix}build_info`,
    help: 'Always 1; the labels say which version of bullmq-autoscaler runs on which Node.js.',
    labelNames: ['version', 'nodejs_version'],
    registers,
  }).set({ version: packageVersion(), nodejs_version: process.versions.node }, 1);
  poolGauge(registers, 'pool_backlog_jobs', 'Jobs ready to run and not yet started, per pool.', () =>
    pools().map(([pool, s]) => [pool, s.lastDemand?.backlog]),
  );
  poolGauge(registers, 'pool_oldest_wait_seconds', 'Wait of the oldest ready job, per pool.', () =>
    pools().map(([pool, s]) => [pool, s.lastDemand && s.lastDemand.oldestWaitMs / 1000]),
  );
  poolGauge(registers, 'pool_desired_servers', 'Servers the last decision wants, per pool.', () =>
    pools().map(([pool, s]) => [pool, s.last?.desired]),
  );
  poolGauge(registers, 'pool_min_servers', 'The pool’s minServers: the floor of every decision.', () =>
    scaler.config.pools.map((p) => [p.name, p.minServers]),
  );
  poolGauge(registers, 'pool_max_servers', 'The pool’s maxServers: the cap of every decision.', () =>
    scaler.config.pools.map((p) => [p.name, p.maxServers]),
  );
  poolGauge(
    registers,
    'pool_target_wait_seconds',
    'The pool’s targetWaitMs, in seconds: chart the oldest wait against it.',
    () => scaler.config.pools.map((p) => [p.name, p.targetWaitMs / 1000]),
  );
  poolGauge(registers, 'pool_pinned', '1 while an operator’s pin holds the pool (scale --pin), else 0.', () =>
    pools().map(([pool, s]) => [pool, s.pin === undefined ? 0 : 1]),
  );
  poolGauge(
    registers,
    'pool_pin_servers',
    'The server count a pin holds the pool at; absent when not pinned.',
    () => pools().map(([pool, s]) => [pool, s.pin?.servers]),
  );
  new Gauge({
    name: `${prefix}queue_paused`,
    help: '1 while a queue is paused in BullMQ (its jobs are not counted as demand), else 0.',
    labelNames: ['pool', 'queue'],
    registers,
    collect() {
      this.reset();
      const states = new Map(pools());
      for (const pool of scaler.config.pools) {
        const state = states.get(pool.name);
        if (state === undefined) continue;
        for (const queue of pool.queues)
          this.set({ pool: pool.name, queue }, state.pausedQueues.includes(queue) ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: `${prefix}servers`,
    help: 'Servers recorded in the fleet, by pool and lifecycle state (0 for a state with none).',
    labelNames: ['pool', 'state'],
    registers,
    async collect() {
      this.reset();
      const counts = countByPoolAndState(await scaler.servers());
      for (const pool of poolNames)
        for (const state of allStates)
          if (state !== 'deleted') this.set({ pool, state }, counts.get(`${pool}\u0000${state}`) ?? 0);
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
  return { registry, stop: countEvents(scaler, registers, poolNames) };
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
