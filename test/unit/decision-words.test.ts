import { describe, expect, it } from 'vitest';
import { type DecisionFacts, decisionInWords, duration } from '../../src/core/decision-words.ts';

const policy = { minServers: 0, maxServers: 4, targetWaitMs: 2_000, maxStepUp: 2 };

function facts(over: Partial<DecisionFacts>): DecisionFacts {
  return {
    desired: 1,
    current: 1,
    backlog: 0,
    oldestWaitMs: 0,
    activeJobs: 0,
    terms: { steady: 0.4, drain: 0, busy: 0, raw: 1 },
    ...over,
  };
}

describe('a decision in plain words', () => {
  it('says what it does, why, and numbers that agree with the decision', () => {
    const words = decisionInWords(
      facts({
        desired: 3,
        current: 1,
        backlog: 12,
        oldestWaitMs: 5_800,
        activeJobs: 2,
        terms: { steady: 1.2, drain: 1.6, busy: 1, raw: 3 },
      }),
      policy,
    );
    expect(words).toBe(
      'Adding 2 servers (1 → 3). 12 jobs waiting, the oldest for 5.8 s (target 2.0 s); 2 jobs running. ' +
        'The load needs 3 servers: 1.2 for arriving work + 1.6 to clear the queue within the target.',
    );
  });

  it('names the rule that made the difference: max, step, window, min, pin', () => {
    const needs = (raw: number) => ({ steady: raw, drain: 0, busy: 0, raw });
    expect(decisionInWords(facts({ desired: 4, current: 3, terms: needs(6) }), policy)).toContain(
      "capped at the pool's maximum of 4. No job is waiting; 0 jobs running. The load needs 6 servers",
    );
    expect(decisionInWords(facts({ desired: 3, current: 1, terms: needs(4) }), policy)).toContain(
      'at most 2 more per tick. No job is waiting; 0 jobs running. The load needs 4 servers',
    );
    expect(decisionInWords(facts({ desired: 2, current: 3, terms: needs(1) }), policy)).toContain(
      'the scale-down window keeps 2 for now. No job is waiting; 0 jobs running. The load needs 1 server',
    );
    expect(
      decisionInWords(facts({ desired: 2, current: 2, terms: needs(1), oldestWaitMs: 9_000 }), policy),
    ).toContain('nothing is removed while jobs wait longer than the target');
    expect(
      decisionInWords(facts({ desired: 1, current: 0, terms: needs(0) }), { ...policy, minServers: 1 }),
    ).toContain("to keep the pool's minimum of 1");
    expect(
      decisionInWords(facts({ desired: 3, current: 1, terms: needs(1), pinnedTo: 3 }), policy),
    ).toContain('pinned to 3 servers by an operator (the load alone needs 1)');
  });

  it('explains a need that differs from the sum of the terms', () => {
    expect(decisionInWords(facts({ terms: { steady: 0, drain: 0, busy: 0.5, raw: 1 } }), policy)).toContain(
      'one at least while jobs run',
    );
    expect(
      decisionInWords(facts({ desired: 0, terms: { steady: 0.3, drain: 0, busy: 0, raw: 0 } }), policy),
    ).toContain('nothing arrived lately');
  });

  it('uses one unit style', () => {
    expect([450, 5_800, 42_000, 600_000, 9_000_000].map(duration)).toEqual([
      '0.5 s',
      '5.8 s',
      '42 s',
      '10 min',
      '2.5 h',
    ]);
  });
});
