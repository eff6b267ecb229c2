import { messageOf } from '../base/errors.ts';
import {
  createRedisClient,
  describeRedis,
  isCluster,
  type RedisClient,
  type RedisConnection,
} from '../base/redis-connection.ts';
import { didYouMean } from '../base/suggest.ts';
import { ConfigError, loadConfigFile } from '../config/load.ts';
import { redisConnectionOf } from '../config/redis-schema.ts';
import type { AutoscalerConfig } from '../config/schema.ts';
import { type CliIo, UsageError } from './io.ts';

/** Loads and validates --config; every problem becomes one line of a UsageError. */
export async function loadConfigFlag(path: string | undefined, io: CliIo): Promise<AutoscalerConfig> {
  if (path === undefined)
    throw new UsageError('--config: required; pass the path of your config file (JSON, YAML or JS)');
  try {
    return await loadConfigFile(path, io.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.problems.join('\n'));
    throw error;
  }
}

/** A Redis client that answered PING, or a UsageError saying how to get one. */
export async function connectRedis(connection: RedisConnection): Promise<RedisClient> {
  const redis = createRedisClient(connection, {
    lazyConnect: true,
    connectTimeoutMs: 3_000,
    maxRetriesPerRequest: 1,
    noReconnect: true,
  });
  // A refused AUTH arrives as an 'error' event; connect() then only says "Connection is closed.".
  let refused: unknown;
  redis.on('error', (error: unknown) => {
    refused ??= /^(WRONGPASS|NOAUTH|NOPERM)/.test(messageOf(error)) ? error : undefined;
  });
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    const field =
      'url' in connection ? 'redis.url' : isCluster(connection) ? 'redis.cluster' : 'redis.sentinel';
    if (refused !== undefined)
      throw new UsageError(
        `${field}: Redis at ${describeRedis(connection)} refused the credentials (${messageOf(refused)}); ` +
          ('url' in connection
            ? 'check the user and password in redis.url or REDIS_URL'
            : 'check redis.username and the password in the variable redis.passwordEnv names'),
      );
    const why = messageOf(error);
    throw new UsageError(
      `${field}: no Redis answers at ${describeRedis(connection)} (${why}); start one (\`docker compose up -d redis\`, ` +
        '`apt-get install redis-server`, `brew install redis`) or set REDIS_URL',
    );
  }
}

/** Runs `run` with the config of --config and a Redis that answered, and always disconnects. */
export async function withRedis<T>(
  configPath: string | undefined,
  io: CliIo,
  run: (redis: RedisClient, config: AutoscalerConfig) => Promise<T>,
): Promise<T> {
  const config = await loadConfigFlag(configPath, io);
  const redis = await connectRedis(redisConnectionOf(config.redis));
  try {
    return await run(redis, config);
  } finally {
    await redis.quit();
  }
}

/** The config's pool of that name, or a UsageError listing the pools there are. */
export function poolNamed(config: AutoscalerConfig, name: string): AutoscalerConfig['pools'][number] {
  const pool = config.pools.find((p) => p.name === name);
  if (pool === undefined)
    throw new UsageError(
      `pool: no pool "${name}" in the config${didYouMean(
        name,
        config.pools.map((p) => p.name),
      )} ` + `(pools: ${config.pools.map((p) => p.name).join(', ')})`,
    );
  return pool;
}
