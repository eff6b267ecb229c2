import type { FleetStore } from './fleet-store.ts';
import type { ServerRecord } from './server-record.ts';

/**
 * Starts one server's drain, for scale-down and for `drain <server>` alike. Only servers that
 * exist can drain: requested or creating ones are left alone. Says whether the drain started.
 */
export async function drainServer(
  store: FleetStore,
  record: ServerRecord,
  reason: string,
  nowMs: number,
): Promise<boolean> {
  if (record.state !== 'ready' && record.state !== 'booting') return false;
  // A booting server's worker that starts before it sees the signal still closes gracefully.
  if (!(await store.transition(record.id, 'draining', reason, nowMs, { drainStartedAtMs: nowMs })))
    return false;
  await store.signalDrain(record.id);
  return true;
}
