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
    // A cap of $1/h with one $0.50 server billed leaves room for one more.
    const [only] = plan({
      nowMs: 0,
      maxServersTotal: 10,
      costRoomUsd: 0.5,
      liveServers: 1,
      pools: [{ pool: 'a', decision: decision(4, 1), createBlockedUntilMs: undefined, serverPriceUsd: 0.5 }],
    });
    expect(only).toMatchObject({ create: 1, limitedBy: 'maxHourlyCostUsd' });
    const [blind] = plan({
      nowMs: 0,
      maxServersTotal: 10,
      costRoomUsd: 5,
      liveServers: 0,
      pools: [{ pool: 'a', decision: decision(2, 0), createBlockedUntilMs: undefined }],
    });
    expect(blind).toMatchObject({ create: 0, limitedBy: 'maxHourlyCostUsd' });
  });

  it('charges each pool its own server type’s price against one cost cap', () => {
    // $1/h left: the big pool (short of more) takes one $0.60 server, the small one the rest.
    const plans = plan({
      nowMs: 0,
      maxServersTotal: 10,
      costRoomUsd: 1,
      liveServers: 0,
      pools: [
        { pool: 'big', decision: decision(3, 0), createBlockedUntilMs: undefined, serverPriceUsd: 0.6 },
        { pool: 'small', decision: decision(2, 0), createBlockedUntilMs: undefined, serverPriceUsd: 0.15 },
      ],
    });
    expect(plans).toMatchObject([
      { pool: 'big', create: 1, limitedBy: 'maxHourlyCostUsd' },
      { pool: 'small', create: 2, limitedBy: undefined },
    ]);
  });
});
