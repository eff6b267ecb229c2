import type { Redis } from 'ioredis';
import { type KeySpace, type ScalerKeys, scalerKeys } from '../base/redis-keys.ts';
import { pickVictims } from '../core/decide.ts';
import type { EventOf } from '../core/events.ts';
import { capacityStates } from '../core/server-state.ts';
import type { Decision, ServerView } from '../core/types.ts';

/** An operator's override of one pool's server count (`scale <pool> --pin N [--for 30m]`). */
export interface Pin {
  pool: string;
  servers: number;
  /** When the pin lapses on its own; undefined holds it until `--unpin`. */
  untilMs: number | undefined;
  setAtMs: number;
}

/** Pins live in Redis so every scaler instance and every CLI invocation sees the same override. */
export class PinStore {
  private readonly keys: ScalerKeys;

  constructor(
    private readonly redis: Redis,
    space: KeySpace,
  ) {
    this.keys = scalerKeys(space);
  }

  async set(pin: Pin): Promise<void> {
    const value = JSON.stringify(pin);
    const key = this.keys.pin(pin.pool);
    // Redis forgets an expired pin by itself, so a scaler that was down still sees it lapse.
    if (pin.untilMs === undefined) await this.redis.set(key, value);
    else await this.redis.set(key, value, 'PX', Math.max(1, pin.untilMs - pin.setAtMs));
  }

  /** Says whether there was a pin to remove. */
  async clear(pool: string): Promise<boolean> {
    return (await this.redis.del(this.keys.pin(pool))) > 0;
  }

  /** The pins in force at `nowMs`, by pool. */
  async active(pools: readonly string[], nowMs: number): Promise<Map<string, Pin>> {
    const result = new Map<string, Pin>();
    if (pools.length === 0) return result;
    const raw = await this.redis.mget(pools.map((p) => this.keys.pin(p)));
    raw.forEach((value) => {
      const pin = parsePin(value);
      if (pin && (pin.untilMs === undefined || pin.untilMs > nowMs)) result.set(pin.pool, pin);
    });
    return result;
  }
}

function parsePin(raw: string | null): Pin | undefined {
  if (raw === null) return undefined;
  try {
    const p = JSON.parse(raw) as Partial<Pin>;
    if (typeof p.pool !== 'string' || typeof p.servers !== 'number') return undefined;
    return { pool: p.pool, servers: p.servers, untilMs: p.untilMs, setAtMs: Number(p.setAtMs ?? 0) };
  } catch {
    return undefined;
  }
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
