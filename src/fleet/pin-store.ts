import type { RedisClient } from '../base/redis-connection.ts';
import { type KeySpace, type ScalerKeys, scalerKeys } from '../base/redis-keys.ts';
import type { Pin } from '../core/pins.ts';

/** Pins live in Redis so every scaler instance and every CLI invocation sees the same override. */
export class PinStore {
  private readonly keys: ScalerKeys;

  constructor(
    private readonly redis: RedisClient,
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
