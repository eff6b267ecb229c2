import type { RedisClient } from '../base/redis-connection.ts';
import { type KeySpace, type ScalerKeys, scalerKeys } from '../base/redis-keys.ts';
import { type Heartbeat, parseHeartbeat } from '../core/heartbeat.ts';
import { fromStatesOf } from '../core/server-state.ts';
import type { ServerState } from '../core/types.ts';
import { fromHash, type ServerRecord, toHash } from './server-record.ts';

/** Audit entries kept per cluster; enough for days of scaling, small enough to forget about. */
const auditMaxLength = 10_000;
/** A closed record stays readable (for `servers --history`) this long. */
const closedRecordTtlSeconds = 7 * 24 * 3600;

/**
 * Moves a server from one of the allowed states to the next and audits it, atomically, so two
 * scalers or a retried job can never both apply the same transition.
 */
const transitionScript = `
if ARGV[6] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[6] then return 'fenced' end
local current = redis.call('HGET', KEYS[1], 'state')
if not current then return 'missing' end
local allowed = false
for state in string.gmatch(ARGV[2], '[^,]+') do
  if state == current then allowed = true end
end
if not allowed then return current end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'updatedAtMs', ARGV[3], 'reason', ARGV[4])
for i = 7, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', 'server', redis.call('HGET', KEYS[1], 'id'),
  'from', current, 'to', ARGV[1], 'reason', ARGV[4], 'atMs', ARGV[3])
return 'ok'
`;

/** Adds new server records, only while the writer still holds the lease it believes it holds. */
const addScript = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[1] then return 'fenced' end
local records = cjson.decode(ARGV[3])
for i, record in ipairs(records) do
  for field, value in pairs(record) do redis.call('HSET', KEYS[3 + i], field, value) end
  redis.call('SADD', KEYS[1], record.id)
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'server', record.id, 'from', '', 'to', record.state,
    'reason', record.reason, 'atMs', record.updatedAtMs)
end
return 'ok'
`;

/**
 * Of the given records, those still `creating` under the job's claim; `fenced` while another
 * scaler holds the lease. A lapsed lease nobody took is no reason to stop: a provider slower than the
 * lease TTL must not stop every create (docs/reliability.md).
 */
const creatableScript = `
local holder = redis.call('GET', KEYS[1])
if ARGV[1] ~= '' and holder and holder ~= ARGV[1] then return 'fenced' end
local creatable = {}
for i = 2, #KEYS do
  local record = redis.call('HMGET', KEYS[i], 'id', 'state', 'createJobId')
  if record[2] == 'creating' and record[3] == ARGV[2] then table.insert(creatable, record[1]) end
end
return creatable
`;

/** A write refused because another scaler now holds the lease. */
export class FencedError extends Error {
  constructor() {
    super('fleet write refused: another scaler holds the lease');
    this.name = 'FencedError';
  }
}

export interface AuditEntry {
  server: string;
  from: string;
  to: string;
  reason: string;
  atMs: number;
}

export class FleetStore {
  readonly keys: ScalerKeys;
  /** The lease value fleet writes are fenced with; empty for writers outside the leader (CLI, jobs' own checks). */
  private fence = '';
  /** Fleet writes this store has made: a tick re-reads the fleet only when it moved. */
  private writeCount = 0;

  constructor(
    private readonly redis: RedisClient,
    space: KeySpace,
  ) {
    this.keys = scalerKeys(space);
  }

  /** New server ids, unique for the cluster's lifetime because the sequence lives in Redis. */
  async allocateIds(pool: string, count: number): Promise<string[]> {
    const last = await this.redis.incrby(this.keys.sequence, count);
    return Array.from({ length: count }, (_, i) => `${pool}-${last - count + i + 1}`);
  }

  setFence(value: string | undefined): void {
    this.fence = value ?? '';
  }

  async add(records: ServerRecord[]): Promise<void> {
    if (records.length === 0) return;
    const result = await this.redis.eval(
      addScript,
      3 + records.length,
      this.keys.servers,
      this.keys.audit,
      this.keys.lease,
      ...records.map((r) => this.keys.server(r.id)),
      this.fence,
      String(auditMaxLength),
      JSON.stringify(records.map(toHash)),
    );
    if (result === 'fenced') throw new FencedError();
    this.writeCount++;
  }

  get writes(): number {
    return this.writeCount;
  }

  /** The fleet again, unless nothing was written since `records` was read at `writesThen`. */
  async listIfChanged(records: ServerRecord[], writesThen: number): Promise<ServerRecord[]> {
    return this.writeCount === writesThen ? records : this.list();
  }

  async list(): Promise<ServerRecord[]> {
    const ids = await this.redis.smembers(this.keys.servers);
    return (await Promise.all(ids.sort().map((id) => this.get(id)))).filter(
      (r): r is ServerRecord => r !== undefined,
    );
  }

  async get(id: string): Promise<ServerRecord | undefined> {
    return fromHash(await this.redis.hgetall(this.keys.server(id)));
  }

  /** Applies the transition if the server is in a state that may move to `to`; says whether it did. */
  async transition(
    id: string,
    to: ServerState,
    reason: string,
    nowMs: number,
    fields: Partial<Record<keyof ServerRecord, string | number>> = {},
  ): Promise<boolean> {
    const extra = Object.entries(fields).flatMap(([k, v]) => [k, String(v)]);
    const result = await this.redis.eval(
      transitionScript,
      3,
      this.keys.server(id),
      this.keys.audit,
      this.keys.lease,
      to,
      fromStatesOf(to).join(','),
      String(nowMs),
      reason,
      String(auditMaxLength),
      this.fence,
      ...extra,
    );
    if (result === 'fenced') throw new FencedError();
    if (result === 'ok') this.writeCount++;
    return result === 'ok';
  }

  /**
   * The servers among `ids` that create job `jobId` may still buy: still `creating` under its
   * claim (not adopted, replaced or given up on since). Throws FencedError while another scaler
   * leads: the job must fail and be retried under the leader, not complete with nothing bought.
   */
  async creatableBy(jobId: string, ids: readonly string[]): Promise<Set<string>> {
    const keys = [this.keys.lease, ...ids.map((id) => this.keys.server(id))];
    const result = await this.redis.eval(creatableScript, keys.length, ...keys, this.fence, jobId);
    if (result === 'fenced') throw new FencedError();
    return new Set(result as string[]);
  }

  /** Drops a finished server from the live set; its record and signals expire later. */
  async close(id: string): Promise<void> {
    await this.redis
      .multi()
      .srem(this.keys.servers, id)
      .expire(this.keys.server(id), closedRecordTtlSeconds)
      .del(this.keys.drain(id), this.keys.drained(id), this.keys.heartbeat(id), this.keys.interrupted(id))
      .exec();
    this.writeCount++;
  }

  async heartbeats(ids: readonly string[]): Promise<Map<string, Heartbeat>> {
    const result = new Map<string, Heartbeat>();
    if (ids.length === 0) return result;
    const raw = await this.redis.mget(ids.map((id) => this.keys.heartbeat(id)));
    ids.forEach((id, i) => {
      const beat = parseHeartbeat(raw[i] ?? null);
      if (beat) result.set(id, beat);
    });
    return result;
  }

  async drainedServers(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const raw = await this.redis.mget(ids.map((id) => this.keys.drained(id)));
    return new Set(ids.filter((_, i) => raw[i] !== null));
  }

  /** Servers that said their cloud is taking them back (a spot notice), with what they were told. */
  async interruptedServers(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const raw = await this.redis.mget(ids.map((id) => this.keys.interrupted(id)));
    return new Map(ids.flatMap((id, i) => (raw[i] == null ? [] : [[id, raw[i] ?? '']])));
  }

  async signalDrain(id: string): Promise<void> {
    await this.redis.set(this.keys.drain(id), '1', 'EX', closedRecordTtlSeconds);
  }

  async saveDecision(pool: string, decision: object, ttlMs: number): Promise<void> {
    await this.redis.set(this.keys.lastDecision(pool), JSON.stringify(decision), 'PX', ttlMs);
  }

  async lastDecision(pool: string): Promise<Record<string, unknown> | undefined> {
    const raw = await this.redis.get(this.keys.lastDecision(pool));
    return raw === null ? undefined : (JSON.parse(raw) as Record<string, unknown>);
  }

  async history(id?: string, count = 1000): Promise<AuditEntry[]> {
    const entries = await this.redis.xrevrange(this.keys.audit, '+', '-', 'COUNT', count);
    return entries
      .map(([, fields]) => toAuditEntry(fields))
      .filter((e) => id === undefined || e.server === id)
      .reverse();
  }
}

function toAuditEntry(fields: string[]): AuditEntry {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] ?? '', fields[i + 1] ?? '');
  return {
    server: map.get('server') ?? '',
    from: map.get('from') ?? '',
    to: map.get('to') ?? '',
    reason: map.get('reason') ?? '',
    atMs: Number(map.get('atMs') ?? 0),
  };
}
