import { pickVictims } from './decide.ts';
import type { EventOf } from './events.ts';
import { capacityStates } from './server-state.ts';
import type { Decision, ServerView } from './types.ts';

/** An operator's override of one pool's server count (`scale <pool> --pin N [--for 30m]`). */
export interface Pin {
  pool: string;
  servers: number;
  /** When the pin lapses on its own; undefined holds it until `--unpin`. */
  untilMs: number | undefined;
  setAtMs: number;
}

/** The decision with its desired count replaced by the pin; victims are chosen as decide() would. */
export function applyPin(decision: Decision, pin: Pin | undefined, servers: ServerView[]): Decision {
  if (pin === undefined) return decision;
  const capacity = servers.filter((s) => capacityStates.includes(s.state));
  const until = pin.untilMs === undefined ? '' : ` until ${new Date(pin.untilMs).toISOString()}`;
  return {
    ...decision,
    desired: pin.servers,
    drain: pin.servers < decision.current ? pickVictims(capacity, decision.current - pin.servers) : [],
    reason: `${decision.reason} — pinned to ${pin.servers}${until} (policy wants ${decision.desired})`,
  };
}

/** The event to log when a pool's pin appears, changes or goes away between two ticks. */
export function pinChange(
  pool: string,
  before: Pin | undefined,
  now: Pin | undefined,
  unpinnedDesired: number,
  nowMs: number,
): EventOf<'pin.applied'> | EventOf<'pin.expired'> | undefined {
  if (now !== undefined && (before?.servers !== now.servers || before.untilMs !== now.untilMs)) {
    return {
      event: 'pin.applied',
      pool,
      servers: now.servers,
      untilMs: now.untilMs ?? null,
      unpinnedDesired,
    };
  }
  if (before !== undefined && now === undefined) {
    const expired = before.untilMs !== undefined && before.untilMs <= nowMs;
    return { event: 'pin.expired', pool, servers: before.servers, reason: expired ? 'expired' : 'removed' };
  }
  return undefined;
}
