import type { RedisClient } from '../base/redis-connection.ts';
import type { ScalerKeys } from '../base/redis-keys.ts';

/** Renews our lease, or takes a free one with a new fencing token; returns the value we hold or nil. */
const acquireScript = `
local current = redis.call('GET', KEYS[1])
if current and current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return current
end
if current then return false end
local value = redis.call('INCR', KEYS[2]) .. ':' .. ARGV[2]
redis.call('SET', KEYS[1], value, 'PX', ARGV[3])
return value
`;

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * One active scaler per cluster. The lease value carries a fencing token that every fleet write
 * checks, so a scaler that lost its lease (paused, partitioned) cannot write after a newer one took over.
 */
export class LeaderLease {
  private held: string | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: ScalerKeys,
    private readonly instanceId: string,
    private readonly ttlMs: number,
  ) {}

  /** The lease value while we hold it: the fence for fleet writes. */
  get value(): string | undefined {
    return this.held;
  }

  async acquireOrRenew(): Promise<boolean> {
    const result = await this.redis.eval(
      acquireScript,
      2,
      this.keys.lease,
      this.keys.leaseToken,
      this.held ?? '',
      this.instanceId,
      String(this.ttlMs),
    );
    this.held = typeof result === 'string' ? result : undefined;
    return this.held !== undefined;
  }

  async release(): Promise<void> {
    if (this.held === undefined) return;
    const value = this.held;
    this.held = undefined;
    await this.redis.eval(releaseScript, 1, this.keys.lease, value);
  }

  /** Forgets the lease without touching Redis, after an error left us unsure we still hold it. */
  drop(): void {
    this.held = undefined;
  }
}
