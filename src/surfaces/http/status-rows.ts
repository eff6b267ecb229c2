import type { QueueSample } from '../../core/types.ts';
import type { AuditEntry } from '../../fleet/fleet-store.ts';
import type { ScaleMark } from '../../fleet/history-store.ts';
import type { QueueActivity } from '../../sampler/queue-activity.ts';

/** One queue as the page's per-queue rows show it. */
export interface QueueRow {
  queue: string;
  paused: boolean;
  waiting: number;
  prioritized: number;
  /** Delayed jobs whose time has come, and those still to come. */
  dueDelayed: number;
  upcomingDelayed: number;
  active: number;
  completedPerMin: number;
  failedLastHour: number;
  oldestWaitMs: number;
  runtimeMs: number | null;
}

/** One line of the event feed: a server's transition or a change of a pool's desired count. */
export interface FeedEvent {
  atMs: number;
  pool: string | null;
  server: string | null;
  what: string;
  reason: string;
}

/** Events the feed shows. */
export const feedLength = 50;

/** The last transitions and scale decisions, newest first. */
export function feed(audit: AuditEntry[], marks: ScaleMark[], pools: string[]): FeedEvent[] {
  const transitions = audit.map((e) => ({
    atMs: e.atMs,
    pool: poolOfServer(e.server, pools),
    server: e.server,
    what: e.from === '' ? e.to : `${e.from} → ${e.to}`,
    reason: e.reason,
  }));
  const decisions = marks.map((m) => ({
    atMs: m.atMs,
    pool: m.pool,
    server: null,
    what: m.to > m.from ? 'scale up' : 'scale down',
    reason: m.words,
  }));
  return [...transitions, ...decisions].sort((a, b) => b.atMs - a.atMs).slice(0, feedLength);
}

/** Server ids are `<pool>-<sequence>` (FleetStore.allocateIds). */
function poolOfServer(server: string, pools: string[]): string | null {
  return pools.find((p) => server.startsWith(`${p}-`) && /^\d+$/.test(server.slice(p.length + 1))) ?? null;
}

/** The sampler's counts joined with the activity the page adds, by queue. */
export function queueRows(samples: QueueSample[], activity: QueueActivity[]): Map<string, QueueRow> {
  const more = new Map(activity.map((a) => [a.queue, a]));
  return new Map(
    samples.map((s) => {
      const a = more.get(s.queue);
      const row: QueueRow = {
        queue: s.queue,
        paused: s.paused,
        waiting: s.waiting,
        prioritized: s.prioritized,
        dueDelayed: s.dueDelayed,
        upcomingDelayed: a?.upcomingDelayed ?? 0,
        active: s.active,
        completedPerMin: a?.completedLastMinute ?? 0,
        failedLastHour: a?.failedLastHour ?? 0,
        oldestWaitMs: s.oldestWaitMs,
        runtimeMs: a?.runtimeMs ?? null,
      };
      return [s.queue, row];
    }),
  );
}
