import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { poolPolicy } from '../../bench/lib/pool-policy.ts';
import { ConfigError, parseConfig } from '../../src/config/load.ts';
import { type ScheduleConfig, scheduleInForce } from '../../src/config/schedules.ts';
import { decide, initialMemory } from '../../src/core/decide.ts';
import type { PoolPolicy } from '../../src/core/types.ts';

const at = (iso: string) => Date.parse(iso);
const weekdayMornings: ScheduleConfig = {
  cron: '0 8 * * 1-5',
  timezone: 'Europe/Berlin',
  durationMs: 2 * 3_600_000,
  minServers: 6,
};

describe('scheduled capacity', () => {
  it('opens a window at the cron time in its time zone, for durationMs', () => {
    // Monday 30 Nov 2026: 08:00 in Berlin is 07:00 UTC.
    expect(scheduleInForce([weekdayMornings], at('2026-11-30T06:59:00Z'))).toBeUndefined();
    expect(scheduleInForce([weekdayMornings], at('2026-11-30T07:30:00Z'))).toEqual({
      label: '"0 8 * * 1-5" Europe/Berlin',
      minServers: 6,
      untilMs: at('2026-11-30T09:00:00Z'),
    });
    expect(scheduleInForce([weekdayMornings], at('2026-11-30T09:00:00Z'))).toBeUndefined();
    // Saturday: no window.
    expect(scheduleInForce([weekdayMornings], at('2026-12-05T07:30:00Z'))).toBeUndefined();
  });

  it('closes a window at the next `until` occurrence, and the largest open window wins', () => {
    const sale: ScheduleConfig = {
      cron: '0 12 * * *',
      timezone: 'UTC',
      until: '30 12 * * *',
      minServers: 20,
    };
    const open = scheduleInForce([weekdayMornings, sale], at('2026-11-30T12:10:00Z'));
    expect(open).toMatchObject({ minServers: 20, untilMs: at('2026-11-30T12:30:00Z') });
    expect(scheduleInForce([sale], at('2026-11-30T12:31:00Z'))).toBeUndefined();
  });

  it('raises the desired count and says so in the reason', () => {
    const policy: PoolPolicy = poolPolicy({ maxServers: 30 });
    const schedule = { label: '"0 8 * * 1-5" Europe/Berlin', minServers: 6, untilMs: 1 };
    const d = decide({
      nowMs: 1_000,
      policy,
      demand: { queues: [], oldestWaitMs: 0, activeJobs: 0 },
      servers: [],
      memory: initialMemory(),
      schedule,
    });
    expect(d.desired).toBe(6);
    expect(d.reason).toMatch(/raised to 6 by schedule "0 8 \* \* 1-5" Europe\/Berlin \(minServers 6\)$/);
  });

  it('rejects a bad cron, an unknown time zone, both or neither end, and more servers than the pool may have', () => {
    const problems = (schedule: Record<string, unknown>) => {
      const raw = {
        provider: { type: 'local-process', workerEntry: resolve('examples/worker.ts') },
        pools: [{ name: 'main', queues: ['jobs'], maxServers: 10, schedules: [schedule] }],
      };
      try {
        parseConfig(raw, {});
        return [];
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
    };
    expect(problems({ cron: '61 * * * *', durationMs: 1, minServers: 1 })[0]).toMatch(
      /^pools\[0\]\.schedules\[0\]\.cron: not a cron expression/,
    );
    expect(problems({ cron: '0 8 * * *', timezone: 'Mars/Base', durationMs: 1, minServers: 1 })).toEqual([
      'pools[0].schedules[0].timezone: not an IANA time zone (e.g. "Europe/Berlin", "America/New_York", "UTC")',
    ]);
    expect(problems({ cron: '0 8 * * *', minServers: 1 })).toEqual([
      'pools[0].schedules[0].durationMs: give exactly one of durationMs and until',
    ]);
    expect(problems({ cron: '0 8 * * *', durationMs: 5, until: '0 9 * * *', minServers: 1 })).toEqual([
      'pools[0].schedules[0].durationMs: give exactly one of durationMs and until',
    ]);
    expect(problems({ cron: '0 8 * * *', durationMs: 5, minServers: 11 })).toEqual([
      'pools[0].schedules[0].minServers: must be ≤ maxServers (10)',
    ]);
  });
});
