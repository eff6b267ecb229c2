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

/** How far a lease must have reached before its holder may act on it. */
export interface LeaseReplication {
  /** Replicas that must acknowledge each acquisition and renewal (Redis WAIT); 0 skips the wait. */
  replicas: number;
  /** How long to wait for them; short of the lease's own life. */
  timeoutMs: number;
}

/**
 * One active scaler per cluster. The lease value carries a fencing token that every fleet write
 * checks, so a scaler that lost its lease (paused, partitioned) cannot write after a newer one took over.
 *
 * Redis replicates asynchronously: a lease the master granted and then lost in a failover would
 * let a second scaler take the lease while the first still acts on it. With `replication.replicas`
 * set, the lease counts only once that many replicas hold it (WAIT), and Sentinel promotes the most
 * up-to-date replica; a master cut off from its replicas grants nothing, so its scaler steps down
 * at the next renewal instead of leading beside the new master's. docs/reliability.md says exactly
 * what this guarantees.
 */
export class LeaderLease {
  private held: string | undefined;
  /** Why the last acquisition was refused although Redis granted it, if it was. */
  refusal: string | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: ScalerKeys,
    private readonly instanceId: string,
    private readonly ttlMs: number,
    private readonly replication: LeaseReplication = { replicas: 0, timeoutMs: 0 },
  ) {}

  /** The lease value while we hold it: the fence for fleet writes. */
  get value(): string | undefined {
    return this.held;
  }

  async acquireOrRenew(): Promise<boolean> {
    const { replicas, timeoutMs } = this.replication;
    // One pipeline: under Redis Cluster WAIT, which names no key, goes to the lease's node with it.
    const pipeline = this.redis
      .pipeline()
      .eval(
        acquireScript,
        2,
        this.keys.lease,
        this.keys.leaseToken,
        this.held ?? '',
        this.instanceId,
        String(this.ttlMs),
      );
    if (replicas > 0) pipeline.call('WAIT', String(replicas), String(timeoutMs));
    const [[leaseError, result] = [null, null], [waitError, acks] = [null, replicas]] =
      (await pipeline.exec()) ?? [];
    if (leaseError) throw leaseError;
    this.held = typeof result === 'string' ? result : undefined;
    this.refusal = undefined;
    if (this.held === undefined) return false;
    if (waitError === null && Number(acks) >= replicas) return true;
    this.refusal = `lease not confirmed by ${replicas} replica(s) within ${timeoutMs} ms (${waitError?.message ?? `${Number(acks)} acknowledged`})`;
    // Granted by a master whose replicas did not confirm it: a failover could forget it while we
    // act on it. Give it back so that no one, us included, leads on an unreplicated lease.
    await this.release().catch(() => {});
    return false;
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
