import { describe, expect, it } from 'vitest';
import { initialMemory } from '../../src/core/decide.ts';
import { plan, serversWithinCost } from '../../src/core/plan.ts';
import type { Decision } from '../../src/core/types.ts';

function decision(desired: number, current: number): Decision {
  return {
    desired,
    current,
    reason: '',
    drain: [],
    terms: { steady: 0, drain: 0, busy: 0, raw: desired },
    memory: initialMemory(),
  };
}

describe('plan under the guard rails', () => {
  it('never creates past the global cap, serving the largest shortfall first', () => {
    const plans = plan({
      nowMs: 0,
      maxServersTotal: 5,
      liveServers: 2,
      pools: [
        { pool: 'a', decision: decision(3, 1), createBlockedUntilMs: undefined },
        { pool: 'b', decision: decision(5, 1), createBlockedUntilMs: undefined },
      ],
    });
    expect(plans.map((p) => [p.pool, p.create, p.limitedBy])).toEqual([
      ['a', 0, 'maxServersTotal'],
      ['b', 3, 'maxServersTotal'],
    ]);
  });

  it('holds creates in a pool that is backing off', () => {
    const [only] = plan({
      nowMs: 1_000,
      maxServersTotal: 10,
      liveServers: 0,
      pools: [{ pool: 'a', decision: decision(2, 0), createBlockedUntilMs: 5_000 }],
    });
    expect(only).toMatchObject({ create: 0, limitedBy: 'backoff' });
  });

  it('caps by hourly cost, and an unknown price buys nothing', () => {
    expect(serversWithinCost(undefined, 0.5)).toBeUndefined();
    expect(serversWithinCost(1.2, 0.5)).toBe(2);
    expect(serversWithinCost(1.0, 0.5)).toBe(2);
    expect(serversWithinCost(1.0, undefined)).toBe(0);
    expect(serversWithinCost(1.0, 0)).toBeUndefined();
    const [only] = plan({
      nowMs: 0,
      maxServersTotal: 10,
      maxServersByCost: 2,
      liveServers: 1,
      pools: [{ pool: 'a', decision: decision(4, 1), createBlockedUntilMs: undefined }],
    });
    expect(only).toMatchObject({ create: 1, limitedBy: 'maxHourlyCostUsd' });
  });
});
