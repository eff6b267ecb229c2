import { Cron } from 'croner';
import { z } from 'zod';
import type { ScheduleInForce } from '../core/types.ts';

/** A cron expression croner accepts (5 or 6 fields), checked when the config is read. */
const cronText = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    try {
      new Cron(text, { paused: true });
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not a cron expression: ${(error as Error).message}` });
    }
  });

const timezone = z
  .string()
  .min(1)
  .default('UTC')
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { error: 'not an IANA time zone (e.g. "Europe/Berlin", "America/New_York", "UTC")' },
  );

export const scheduleSchema = z
  .object({
    cron: cronText.describe('When the window opens, e.g. "0 8 * * 1-5" (08:00 on weekdays).'),
    timezone: timezone.describe('IANA time zone the cron expression is read in.'),
    durationMs: z.number().int().min(1).optional().describe('How long each window lasts; or give `until`.'),
    until: cronText
      .optional()
      .describe('Cron expression whose next occurrence after the start closes the window.'),
    minServers: z.number().int().min(0).describe('Servers the pool keeps at least while the window is open.'),
  })
  .strict()
  .refine((s) => (s.durationMs === undefined) !== (s.until === undefined), {
    error: 'give exactly one of durationMs and until',
    path: ['durationMs'],
  });

export type ScheduleConfig = z.output<typeof scheduleSchema>;

/** The window of one schedule open at `nowMs`, if any. */
function windowAt(schedule: ScheduleConfig, nowMs: number): ScheduleInForce | undefined {
  const options = { timezone: schedule.timezone, paused: true };
  const now = new Date(nowMs);
  const start = new Cron(schedule.cron, options).previousRuns(1, now)[0];
  if (start === undefined) return undefined;
  const endMs =
    schedule.durationMs !== undefined
      ? start.getTime() + schedule.durationMs
      : (new Cron(schedule.until ?? '', options).nextRun(start)?.getTime() ?? start.getTime());
  if (nowMs >= endMs) return undefined;
  return {
    label: `"${schedule.cron}" ${schedule.timezone}`,
    minServers: schedule.minServers,
    untilMs: endMs,
  };
}

/** The open window asking for the most servers at `nowMs`: pre-warming for known events. */
export function scheduleInForce(
  schedules: readonly ScheduleConfig[],
  nowMs: number,
): ScheduleInForce | undefined {
  let best: ScheduleInForce | undefined;
  for (const s of schedules) {
    const open = windowAt(s, nowMs);
    if (open && (best === undefined || open.minServers > best.minServers)) best = open;
  }
  return best;
}
