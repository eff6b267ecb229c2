import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/duration.ts';
import { initialMemory } from '../../src/core/decide.ts';
import { applyPin, type Pin, pinChange } from '../../src/core/pins.ts';
import type { Decision, ServerView } from '../../src/core/types.ts';

const decision: Decision = {
  desired: 1,
  current: 3,
  reason: 'scale down 3 → 1: quiet',
  drain: ['main-3', 'main-2'],
  terms: { steady: 1, drain: 0, busy: 0, raw: 1 },
  memory: initialMemory(),
};

function server(id: string, activeJobs: number, state: ServerView['state'] = 'ready'): ServerView {
  return { id, state, createdAtMs: Number(id.split('-')[1]), activeJobs };
}

const pin = (servers: number, untilMs?: number): Pin => ({ pool: 'main', servers, untilMs, setAtMs: 0 });

describe('--for durations', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['7d', 604_800_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text, '--for')).toBe(ms);
  });

  it.each(['', '30', '30 m', 'm30', '0m', '1.5h', '30mx'])('"%s" is refused naming the flag', (text) => {
    expect(() => parseDuration(text, '--for')).toThrow(/^--for: use a duration like 90s, 30m, 2h or 1h30m/);
  });
});

describe('a pin applied to a decision', () => {
  const servers = [
    server('main-1', 2),
    server('main-2', 0),
    server('main-3', 1),
    server('main-4', 0, 'draining'),
  ];

  it('without a pin the decision stands', () => {
    expect(applyPin(decision, undefined, servers)).toBe(decision);
  });

  it('holds more servers than the policy wants, draining none', () => {
    const pinned = applyPin(decision, pin(3, Date.UTC(2026, 0, 1, 12)), servers);
    expect(pinned).toMatchObject({ desired: 3, current: 3, drain: [] });
    expect(pinned.reason).toBe(
      'scale down 3 → 1: quiet — pinned to 3 until 2026-01-01T12:00:00.000Z (policy wants 1)',
    );
    expect(pinned.memory).toBe(decision.memory);
  });

  it('drains down to the pin, idle servers first, never one already draining', () => {
    expect(applyPin(decision, pin(1), servers)).toMatchObject({ desired: 1, drain: ['main-2', 'main-3'] });
    expect(applyPin(decision, pin(0), servers).drain).toEqual(['main-2', 'main-3', 'main-1']);
  });
});

describe('pin events', () => {
  it('applied when a pin appears or changes, silent while it holds', () => {
    expect(pinChange('main', undefined, pin(2, 500), 1, 0)).toEqual({
      event: 'pin.applied',
      pool: 'main',
      servers: 2,
      untilMs: 500,
      unpinnedDesired: 1,
    });
    expect(pinChange('main', pin(2, 500), pin(2, 500), 1, 100)).toBeUndefined();
    expect(pinChange('main', pin(2, 500), pin(4), 1, 100)).toMatchObject({ servers: 4, untilMs: null });
  });

  it('expired when its time passed, removed when unpinned early', () => {
    expect(pinChange('main', pin(2, 500), undefined, 1, 500)).toEqual({
      event: 'pin.expired',
      pool: 'main',
      servers: 2,
      reason: 'expired',
    });
    expect(pinChange('main', pin(2, 500), undefined, 1, 499)).toMatchObject({ reason: 'removed' });
    expect(pinChange('main', pin(2), undefined, 1, 499)).toMatchObject({ reason: 'removed' });
  });
});
