import type { RedisConnection } from '../base/redis-connection.ts';
import { redisConnectionFromVariables, redisConnectionToVariables } from './redis-env.ts';

/** The environment a server's worker is started with, by user_data or the local provider. */
export interface ServerEnv {
  serverId: string;
  serverName: string;
  pool: string;
  /** The one Redis's URL; '' when `redis` names a Cluster or a Sentinel set. */
  redisUrl: string;
  /** Where Redis is, in any of the three forms; `redisUrl` when omitted. */
  redis?: RedisConnection;
  cluster: string;
  bullmqPrefix: string;
  /** The pool's queues, so a worker entry need not repeat the config. */
  queues: string[];
  /** The pool's slotsPerServer: the concurrency the scaler plans with. */
  slots: number;
  /**
   * The scaler's lifecycle.stalledCheckMs: the worker's BullMQ lock lives this long and its
   * stalled check runs this often, so a dead server's jobs return within about twice it. Unset:
   * BullMQ's own defaults (a 30 s lock).
   */
  stalledCheckMs?: number;
}

const required = {
  serverId: 'SERVER_ID',
  serverName: 'SERVER_NAME',
  pool: 'POOL',
} as const;

export function serverEnvToVariables(env: ServerEnv): Record<string, string> {
  return {
    SERVER_ID: env.serverId,
    SERVER_NAME: env.serverName,
    POOL: env.pool,
    ...redisConnectionToVariables(serverRedisConnection(env)),
    AUTOSCALER_CLUSTER: env.cluster,
    BULLMQ_PREFIX: env.bullmqPrefix,
    QUEUES: env.queues.join(','),
    SLOTS: String(env.slots),
    ...(env.stalledCheckMs === undefined ? {} : { STALLED_CHECK_MS: String(env.stalledCheckMs) }),
  };
}

export function readServerEnv(source: NodeJS.ProcessEnv = process.env): ServerEnv {
  const redis = redisConnectionFromVariables(source);
  const missing: string[] = Object.values(required).filter((name) => !source[name]);
  if (redis === undefined) missing.push('REDIS_URL (or REDIS_CONNECTION)');
  if (missing.length > 0) {
    throw new Error(
      `runServerWorker: missing environment ${missing.join(', ')}; the autoscaler sets them when it starts a server ` +
        '(user_data on a cloud server, the local-process provider locally).',
    );
  }
  return {
    serverId: source.SERVER_ID ?? '',
    serverName: source.SERVER_NAME ?? '',
    pool: source.POOL ?? '',
    redisUrl: redis !== undefined && 'url' in redis ? redis.url : '',
    ...(redis === undefined ? {} : { redis }),
    cluster: source.AUTOSCALER_CLUSTER ?? 'default',
    bullmqPrefix: source.BULLMQ_PREFIX ?? 'bull',
    queues: (source.QUEUES ?? '').split(',').filter((q) => q !== ''),
    slots: Math.max(1, Number(source.SLOTS ?? 1) || 1),
    ...stalledCheckOf(source.STALLED_CHECK_MS),
  };
}

/** A positive whole number of ms, or nothing: a garbled value must not become a 0 ms lock. */
function stalledCheckOf(text: string | undefined): { stalledCheckMs?: number } {
  const ms = Number(text);
  return text !== undefined && Number.isInteger(ms) && ms > 0 ? { stalledCheckMs: ms } : {};
}

/** The server's Redis connection, whichever form the env gives it in. */
export function serverRedisConnection(env: ServerEnv): RedisConnection {
  return env.redis ?? { url: env.redisUrl };
}

/** BullMQ silently hides workers whose name has a space; keep names to a safe alphabet. */
export function workerNameOf(serverName: string): string {
  return serverName.replace(/[^A-Za-z0-9._-]/g, '-');
}

/**
 * Set by `doctor` when it loads a worker entry to see that it loads: runServerWorker then prints
 * `loadCheckMarker` and exits before connecting, so the check never takes a job.
 */
export const loadCheckVariable = 'BULLMQ_AUTOSCALER_LOAD_CHECK';
export const loadCheckMarker = 'bullmq-autoscaler: worker entry loaded and called runServerWorker';
