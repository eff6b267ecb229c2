import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { policyOf } from '../../src/config/policy-of.ts';
import { decide, initialMemory } from '../../src/core/decide.ts';
import type { DecisionInput, PoolPolicy, ServerView } from '../../src/core/types.ts';
import { smallPool } from '../helpers/small-pool.ts';

const policy: PoolPolicy = smallPool;
// DigitalOcean's minimum charge as time: $0.01 at $0.01786/h.
const paidMinimumMs = (0.01 / 0.01786) * 3_600_000;

function input(over: Partial<DecisionInput>): DecisionInput {
  const demand = {
    queues: [{ queue: 'q', backlog: 0, arrivalPerSecond: 0, runtimeMs: 1_000 }],
    oldestWaitMs: 0,
    activeJobs: 0,
  };
  return { nowMs: 10_000_000, policy, demand, servers: [], memory: initialMemory(), ...over };
}

describe('paid minimum', () => {
  // An idle pool past its idle period: without the rule every server goes.
  const old: ServerView = { id: 'old', state: 'ready', createdAtMs: 0, activeJobs: 0 };
  const young: ServerView = { id: 'young', state: 'ready', createdAtMs: 10_000_000 - 600_000, activeJobs: 0 };
  // A window that saw no need, after a scaler start long ago (an empty one holds the fleet found).
  const memory = {
    ...initialMemory(),
    lastBusyAtMs: 0,
    recent: [{ atMs: 9_990_000, desired: 0, steady: 0 }],
  };

  it('keeps servers still inside their paid minimum and drains the rest', () => {
    const without = decide(input({ servers: [old, young], memory }));
    expect(without.desired).toBe(0);
    const d = decide(input({ policy: { ...policy, paidMinimumMs }, servers: [old, young], memory }));
    expect(d.desired).toBe(1);
    expect(d.drain).toEqual(['old']);
    expect(d.reason).toMatch(
      /kept 1: servers inside their paid minimum \(2015\.7s, keepPaidServersMs\) cost nothing more to keep/,
    );
  });

  it('still obeys maxServers: paid-up idle servers go before a busy one when the cap is below them', () => {
    const paidUp = (id: string, ageMs: number): ServerView => ({
      id,
      state: 'ready',
      createdAtMs: 10_000_000 - ageMs,
      activeJobs: 0,
    });
    const busy: ServerView = { id: 'busy', state: 'ready', createdAtMs: 0, activeJobs: 1 };
    const servers = [busy, paidUp('p1', 60_000), paidUp('p2', 120_000)];
    const demand = {
      queues: [{ queue: 'q', backlog: 0, arrivalPerSecond: 0, runtimeMs: 1_000 }],
      oldestWaitMs: 0,
      activeJobs: 1,
    };
    const capped = { ...policy, maxServers: 1, paidMinimumMs };
    const d = decide(input({ policy: capped, demand, servers, memory }));
    expect(d.desired).toBe(1);
    // Without paid servers among the victims the scale-down would drain only the busy one (or none).
    expect([...d.drain].sort()).toEqual(['p1', 'p2']);
    expect(d.reason).toMatch(/capped at 1 \(maxServers\)/);
  });

  it('lets a server go once its minimum has run out', () => {
    const later = 10_000_000 - 600_000 + paidMinimumMs + 1;
    const d = decide(
      input({ nowMs: later, policy: { ...policy, paidMinimumMs }, servers: [old, young], memory }),
    );
    expect(d.desired).toBe(0);
  });
});

describe('keepPaidServersMs', () => {
  const provider = { type: 'local-process', workerEntry: resolve('examples/worker.ts') };
  const poolOf = (fields: Record<string, unknown>) => {
    const config = parseConfig({ provider, pools: [{ name: 'main', queues: ['jobs'], ...fields }] }, {});
    const pool = config.pools[0];
    if (pool === undefined) throw new Error('no pool');
    return pool;
  };

  it('is off by default: the policy keeps no server for its minimum charge', () => {
    const pool = poolOf({});
    expect(pool.keepPaidServersMs).toBe(0);
    expect(policyOf(pool).paidMinimumMs).toBe(0);
  });

  it('reaches the policy as paidMinimumMs when a pool sets it', () => {
    expect(policyOf(poolOf({ keepPaidServersMs: 2_016_000 })).paidMinimumMs).toBe(2_016_000);
  });
});
