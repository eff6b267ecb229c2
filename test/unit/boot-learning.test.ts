import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import type { ServerRecord } from '../../src/fleet/server-record.ts';
import { decidePools, type PoolState } from '../../src/scaler/tick.ts';

const config = parseConfig(
  {
    provider: { type: 'local-process', workerEntry: 'examples/worker.ts' },
    pools: [{ name: 'main', queues: ['q'], bootSeconds: 60 }],
  },
  {},
);

function ready(id: string, bootMs: number): ServerRecord {
  return {
    id,
    name: `default-${id}`,
    pool: 'main',
    state: 'ready',
    providerId: id,
    createdAtMs: 0,
    updatedAtMs: bootMs,
    createCalledAtMs: 1_000,
    readyAtMs: 1_000 + bootMs,
    drainStartedAtMs: undefined,
    reason: 'worker heartbeat',
  };
}

const sample = {
  queue: 'q',
  waiting: 0,
  prioritized: 0,
  dueDelayed: 0,
  active: 0,
  paused: false,
  oldestWaitMs: 0,
  addedTotal: 0,
  recentRuntimesMs: [],
};

describe('boot time learned from the fleet', () => {
  it('plans with the configured boot time until three servers have booted, then with what they took', () => {
    const pools = new Map<string, PoolState>();
    const two = [ready('main-1', 20_000), ready('main-2', 22_000)];
    expect(decidePools(config, pools, [sample], two, new Map(), 100_000)[0]?.bootMs).toBe(60_000);
    const three = [...two, ready('main-3', 25_000)];
    expect(decidePools(config, pools, [sample], three, new Map(), 101_000)[0]?.bootMs).toBe(25_000);
    // A boot is counted once, however many ticks see the same ready server.
    for (let t = 0; t < 30; t++) decidePools(config, pools, [sample], three, new Map(), 102_000 + t);
    expect(pools.get('main')?.step.boot.observedMs).toHaveLength(3);
  });
});
