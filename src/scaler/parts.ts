import {
  ownerTagOf,
  type Provider,
  type ProviderLog,
  poolTagOf,
  type ServerSpec,
} from '../../providers/provider.ts';
import { createRedisClient, type RedisClient, type RedisConnection } from '../base/redis-connection.ts';
import { leaseReplicasOf, redisConnectionOf } from '../config/redis-schema.ts';
import type { AutoscalerConfig } from '../config/schema.ts';
import type { ScalingEvent } from '../core/events.ts';
import { FleetStore } from '../fleet/fleet-store.ts';
import { HistoryStore } from '../fleet/history-store.ts';
import { LeaderLease } from '../fleet/leader-lease.ts';
import type { ServerRecord } from '../fleet/server-record.ts';
import { Provisioner } from '../provisioning/provisioner.ts';
import { StalledChecker } from '../reconciler/stalled-checker.ts';
import { QueueSampler } from '../sampler/queue-sampler.ts';
import { serverEnvToVariables } from '../worker/server-env.ts';
import { Leadership } from './leadership.ts';
import { PoolHistoryRecorder } from './pool-history.ts';
import { createProvider } from './provider-factory.ts';

/** Everything a running scaler holds: its connections, its provider and what acts through them. */
export interface ScalerParts {
  redis: RedisClient;
  bullRedis: RedisClient;
  provider: Provider;
  store: FleetStore;
  provisioner: Provisioner;
  leadership: Leadership;
  /** Returns jobs of servers lost without a drain to their queues; only the leader's runs. */
  checker: StalledChecker;
  sampler: QueueSampler;
  /** Writes the pools' history for status pages; only the leader's runs. */
  history: PoolHistoryRecorder;
}

export interface PartsOptions {
  config: AutoscalerConfig;
  /** A provider to use instead of the one the config names. */
  provider: Provider | undefined;
  instance: string;
  emit: (event: ScalingEvent) => void;
  now: () => number;
  /** The scaler's logger, handed to the provider for what it logs itself (retries). */
  log?: ProviderLog | undefined;
}

/** Connects to Redis and builds the scaler's parts from its config. */
export async function connectParts(o: PartsOptions): Promise<ScalerParts> {
  const { config } = o;
  const { bullmqPrefix } = config.redis;
  const connection = redisConnectionOf(config.redis);
  // Fail fast on the sampling connection so a Redis outage means "hold", not a hung tick.
  const redis = createRedisClient(connection, { maxRetriesPerRequest: 1, connectTimeoutMs: 5_000 });
  const bullRedis = createRedisClient(connection, { maxRetriesPerRequest: null });
  // Outages surface as failed ticks (and `sample.failed`); the clients reconnect by themselves.
  for (const client of [redis, bullRedis]) client.on('error', () => {});
  const provider = o.provider ?? (await createProvider(config, redis, o.log));
  const store = new FleetStore(redis, { prefix: bullmqPrefix, cluster: config.cluster });
  const provisioner = new Provisioner({
    redis: bullRedis,
    store,
    provider,
    prefix: bullmqPrefix,
    cluster: config.cluster,
    specOf: (record) => specOf(config, record),
    createFailureBackoffMs: config.createFailureBackoffMs,
    circuitBreakerFailures: config.lifecycle.circuitBreakerFailures,
    retryBaseMs: config.lifecycle.provisioningRetryMs,
    emit: o.emit,
    now: o.now,
  });
  const { leaseTtlMs } = config.lifecycle;
  const lease = new LeaderLease(redis, store.keys, o.instance, leaseTtlMs, {
    replicas: leaseReplicasOf(config.redis),
    // Long enough for a healthy replica's ack, short enough to leave most of the lease to act in.
    timeoutMs: Math.min(1_000, Math.floor(leaseTtlMs / 4)),
  });
  const checker = new StalledChecker(bullRedis, bullmqPrefix, config.lifecycle.stalledCheckMs);
  const leadership = new Leadership(lease, store, provisioner, checker, o.instance, o.emit);
  const sampler = new QueueSampler(redis, bullmqPrefix);
  const history = new PoolHistoryRecorder({
    history: new HistoryStore(redis, { prefix: bullmqPrefix, cluster: config.cluster }),
    redis,
    config,
    serverHourlyPriceUsd: async (type) => provider.serverHourlyPriceUsd?.(type),
    emit: o.emit,
  });
  return { redis, bullRedis, provider, store, provisioner, leadership, checker, sampler, history };
}

/** How the server's worker reaches Redis: the scaler's own connection, secrets included. */
function serverRedisOf(config: AutoscalerConfig): { redisUrl: string; redis: RedisConnection } {
  const redis = redisConnectionOf(config.redis);
  return { redisUrl: 'url' in redis ? redis.url : '', redis };
}

/** What the provider needs to create a recorded server: its name, our tags and its worker's env. */
function specOf(config: AutoscalerConfig, record: ServerRecord): ServerSpec {
  const pool = config.pools.find((p) => p.name === record.pool);
  return {
    serverId: record.id,
    name: record.name,
    pool: record.pool,
    // The type it was requested as: a pool switched to another type replaces it by a rollout.
    type: record.type ?? pool?.serverType ?? 'default',
    tags: [ownerTagOf(config.cluster), poolTagOf(record.pool)],
    env: serverEnvToVariables({
      serverId: record.id,
      serverName: record.name,
      pool: record.pool,
      ...serverRedisOf(config),
      cluster: config.cluster,
      bullmqPrefix: config.redis.bullmqPrefix,
      queues: pool?.queues ?? [],
      slots: pool?.slotsPerServer ?? 1,
      stalledCheckMs: config.lifecycle.stalledCheckMs,
    }),
  };
}
