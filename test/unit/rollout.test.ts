import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { poolSchema } from '../../src/config/schema.ts';
import { type RolloutServer, type RolloutStep, rolloutStep } from '../../src/core/rollout.ts';
import type { Decision } from '../../src/core/types.ts';
import { requestedRecord } from '../../src/fleet/server-record.ts';
import { outdatedBecause } from '../../src/scaler/rollout.ts';

function hold(current: number, desired = current): Decision {
  return {
    desired,
    current,
    reason: 'hold',
    drain: [],
    terms: { steady: 0, drain: 0, busy: 0 },
    memory: { window: [], lastBusyAtMs: undefined, previousBacklog: 0 },
  } as unknown as Decision;
}

const server = (id: string, outdated: boolean, activeJobs = 0, state: RolloutServer['state'] = 'ready') => ({
  id,
  state,
  createdAtMs: 0,
  activeJobs,
  outdated,
});

describe('rolling replacement (surge and drain)', () => {
  it('creates a replacement first and drains an outdated server only once it is ready, idle ones first', () => {
    const old = [server('a', true, 2), server('b', true, 0), server('c', true, 1)];
    const first = rolloutStep({
      decision: hold(3),
      servers: old,
      maxSurge: 1,
      maxServers: 10,
      waitOverTarget: false,
      previousBase: undefined,
    });
    expect(first).toMatchObject({ surge: 1, replaced: [], outdated: 3 });
    expect(first.decision.desired).toBe(4);
    expect(first.decision.reason).toMatch(/rolling out: 3 outdated, 1 replacement requested/);
    const booting = [...old, server('d', false, 0, 'booting')];
    const waiting = rolloutStep({
      decision: hold(4, 3),
      servers: booting,
      maxSurge: 1,
      maxServers: 10,
      waitOverTarget: false,
      previousBase: undefined,
    });
    expect(waiting.replaced).toEqual([]);
    const ready = [...old, server('d', false)];
    const next = rolloutStep({
      decision: hold(4, 3),
      servers: ready,
      maxSurge: 1,
      maxServers: 10,
      waitOverTarget: false,
      previousBase: undefined,
    });
    // decide() would hold at 4 during the stabilisation window; the rollout drains the idle old one.
    expect(next.decision.drain).toEqual(['b']);
  });

  it('pauses while the oldest job waits past its target, and the policy’s own scale-down sheds outdated servers first', () => {
    const mixed = [server('a', false), server('b', true, 3), server('c', true, 0)];
    const paused = rolloutStep({
      decision: hold(3),
      servers: mixed,
      maxSurge: 2,
      maxServers: 10,
      waitOverTarget: true,
      previousBase: undefined,
    });
    expect(paused).toMatchObject({ paused: true, surge: 0, replaced: [] });
    expect(paused.decision.desired).toBe(3);
    const down = rolloutStep({
      decision: { ...hold(3, 1), drain: ['a', 'c'] },
      servers: mixed,
      maxSurge: 2,
      maxServers: 10,
      waitOverTarget: false,
      previousBase: undefined,
    });
    expect(down.decision.drain).toEqual(['c', 'b']);
  });

  it('at the pool’s cap, replaces one server at a time without buying past maxServers', () => {
    const full = [server('a', true), server('b', true)];
    const step = rolloutStep({
      decision: hold(2),
      servers: full,
      maxSurge: 3,
      maxServers: 2,
      waitOverTarget: false,
      previousBase: undefined,
    });
    expect(step.decision.desired).toBe(2);
    expect(step.replaced).toHaveLength(1);
  });

  /**
   * A fleet driven by the rollout until nothing is outdated: each step's creates boot and become
   * ready by the next step, drains leave. Returns the first broken promise, or undefined.
   */
  function driveRollout(
    o: { desired: number; outdated: number; maxSurge: number; maxServers: number },
    step: typeof rolloutStep,
  ): string | undefined {
    let servers: RolloutServer[] = Array.from({ length: o.desired + 0 }, (_, i) =>
      server(`old${i}`, i < o.outdated, i % 2),
    );
    let base: number | undefined;
    for (let round = 0, id = 0; round < 200; round++) {
      // decide() as it behaves while a backlog grows: it holds at the current count, surge included.
      const held = round % 3 === 2;
      const result: RolloutStep = step({
        decision: held ? hold(servers.length) : hold(servers.length, o.desired),
        servers,
        maxSurge: o.maxSurge,
        maxServers: o.maxServers,
        waitOverTarget: false,
        previousBase: base,
      });
      base = result.base;
      const creates = result.decision.desired - result.decision.current;
      const extra = servers.length + Math.max(0, creates) - o.desired;
      if (extra > Math.max(0, Math.min(o.maxSurge, o.maxServers - o.desired)))
        return `surge ${extra} in round ${round}`;
      if (servers.length + creates > o.maxServers) return `over maxServers in round ${round}`;
      const left = servers.filter((s) => !result.decision.drain.includes(s.id));
      const readyLeft = left.filter((s) => s.state === 'ready').length;
      const floor = o.desired - (o.maxServers - o.desired > 0 ? 0 : 1);
      if (readyLeft < Math.min(floor, servers.filter((s) => s.state === 'ready').length))
        return `ready fell to ${readyLeft} in round ${round}`;
      servers = [
        ...left.map((s) => ({ ...s, state: 'ready' as const })),
        ...Array.from({ length: Math.max(0, creates) }, () => server(`new${id++}`, false, 0, 'booting')),
      ];
      if (servers.every((s) => !s.outdated) && servers.length === o.desired) return undefined;
    }
    return 'never finished';
  }

  const fleets = fc.record({
    desired: fc.integer({ min: 1, max: 12 }),
    outdatedShare: fc.double({ min: 0, max: 1, noNaN: true }),
    maxSurge: fc.integer({ min: 1, max: 4 }),
    headroom: fc.integer({ min: 0, max: 5 }),
  });

  it('property: never more than maxSurge extra or past maxServers, never short of ready servers, always finishes', () => {
    fc.assert(
      fc.property(fleets, (f) => {
        const o = {
          desired: f.desired,
          outdated: Math.round(f.outdatedShare * f.desired),
          maxSurge: f.maxSurge,
          maxServers: f.desired + f.headroom,
        };
        expect(driveRollout(o, rolloutStep)).toBeUndefined();
      }),
    );
  });

  it('the property check catches a rollout that surges past its limit or drains too early', () => {
    const o = { desired: 4, outdated: 4, maxSurge: 1, maxServers: 8 };
    const greedy: typeof rolloutStep = (input) => rolloutStep({ ...input, maxSurge: input.maxSurge + 2 });
    expect(driveRollout(o, greedy)).toMatch(/^surge 3/);
    const hasty: typeof rolloutStep = (input) => {
      const step = rolloutStep(input);
      const old = input.servers
        .filter((s) => s.outdated && !step.decision.drain.includes(s.id))
        .map((s) => s.id);
      return { ...step, decision: { ...step.decision, drain: [...step.decision.drain, ...old] } };
    };
    expect(driveRollout(o, hasty)).toMatch(/^ready fell/);
  });
});

describe('what makes a server outdated', () => {
  const pool = poolSchema.parse({ name: 'main', queues: ['q'], maxServerAgeMs: 3_600_000 });
  const record = {
    ...requestedRecord({ id: 'main-1', name: 'c-main-1', pool: 'main', nowMs: 1_000, reason: '' }),
  };
  const ready = { ...record, state: 'ready' as const, readyAtMs: 2_000, image: 'snap 1' };

  it('a new image, a restart mark, its age, or a changed server type; never a server still being created', () => {
    const today = { currentImage: 'snap 1', restartedAtMs: undefined, nowMs: 10_000 };
    expect(outdatedBecause(ready, pool, today)).toBeUndefined();
    expect(outdatedBecause(ready, pool, { ...today, currentImage: 'snap 2' })).toBe('new image');
    expect(outdatedBecause(ready, pool, { ...today, restartedAtMs: 5_000 })).toBe('rollout restart');
    expect(outdatedBecause(ready, pool, { ...today, nowMs: 2_000 + 3_600_001 })).toBe('max age');
    expect(outdatedBecause({ ...ready, type: 'big' }, pool, today)).toBe('server type changed');
    expect(
      outdatedBecause({ ...ready, image: undefined }, pool, { ...today, currentImage: 'snap 2' }),
    ).toBeUndefined();
    expect(
      outdatedBecause({ ...ready, state: 'draining' }, pool, { ...today, currentImage: 'snap 2' }),
    ).toBeUndefined();
  });
});
