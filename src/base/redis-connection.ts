import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { redactUrlsIn } from './redact.ts';

/** One Redis server, Cluster node or Sentinel. */
export interface HostPort {
  host: string;
  port: number;
}

/** Credentials and transport shared by the Cluster and Sentinel forms (a URL carries its own). */
interface Access {
  username?: string | undefined;
  /** Read from the environment variable the config names; never written in a config file. */
  password?: string | undefined;
  /** TLS to every node (and, for Sentinel, to the sentinels too). */
  tls?: boolean | undefined;
}

export interface UrlConnection {
  /** redis:// or rediss:// (TLS), with the password in it when there is one. */
  url: string;
}

export interface ClusterConnection extends Access {
  cluster: {
    /** Any reachable nodes: ioredis discovers the rest from them. */
    nodes: HostPort[];
    /** Addresses the nodes announce → addresses this process reaches them at (NAT, containers). */
    natMap?: Record<string, HostPort> | undefined;
  };
}

export interface SentinelConnection extends Access {
  sentinel: {
    sentinels: HostPort[];
    /** The master set's name, as the sentinels know it (`sentinel monitor <name> …`). */
    name: string;
    /** Password of the sentinels themselves, when they require one. */
    sentinelPassword?: string | undefined;
  };
}

/** Where Redis is and how to reach it: what the scaler, the CLI and every worker connect with. */
export type RedisConnection = UrlConnection | ClusterConnection | SentinelConnection;

/** A connection to one Redis (direct or through Sentinel) or to a Redis Cluster. */
export type RedisClient = Redis | Cluster;

export interface ClientOptions {
  /** ioredis's retries per command; null waits for Redis forever (what BullMQ's workers need). */
  maxRetriesPerRequest: number | null;
  /** @default 10000 (ioredis's own) */
  connectTimeoutMs?: number;
  /** Connect on the first command or connect(), not at once. @default false */
  lazyConnect?: boolean;
  /** Give up instead of reconnecting after a failed connect (the CLI's one-shot checks). @default false */
  noReconnect?: boolean;
}

/** Whether a key part carries a hash tag (`{…}`, not empty) that Redis Cluster hashes instead. */
export function hasHashTag(name: string): boolean {
  return /\{[^}]+\}/.test(name);
}

export function isCluster(connection: RedisConnection): connection is ClusterConnection {
  return 'cluster' in connection;
}

export function isSentinel(connection: RedisConnection): connection is SentinelConnection {
  return 'sentinel' in connection;
}

/** A client through ioredis's own Cluster or Sentinel support, or for a URL. */
export function createRedisClient(connection: RedisConnection, options: ClientOptions): RedisClient {
  const common: RedisOptions = {
    maxRetriesPerRequest: options.maxRetriesPerRequest,
    lazyConnect: options.lazyConnect ?? false,
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeout: options.connectTimeoutMs }),
    ...(options.noReconnect ? { retryStrategy: () => null } : {}),
  };
  if ('url' in connection) return new Redis(connection.url, common);
  const access: RedisOptions = {
    ...(connection.username === undefined ? {} : { username: connection.username }),
    ...(connection.password === undefined ? {} : { password: connection.password }),
    ...(connection.tls ? { tls: {} } : {}),
  };
  if (isCluster(connection)) {
    return new Cluster(connection.cluster.nodes, {
      redisOptions: { ...common, ...access },
      lazyConnect: options.lazyConnect ?? false,
      ...(connection.cluster.natMap === undefined ? {} : { natMap: connection.cluster.natMap }),
      ...(options.noReconnect ? { clusterRetryStrategy: () => null } : {}),
    });
  }
  const { sentinels, name, sentinelPassword } = connection.sentinel;
  return new Redis({
    ...common,
    ...access,
    sentinels,
    name,
    role: 'master',
    // Subscribes to the sentinels' +switch-master: a failover reconnects at once, not at the next error.
    failoverDetector: true,
    ...(sentinelPassword === undefined ? {} : { sentinelPassword }),
    ...(connection.tls ? { enableTLSForSentinelMode: true } : {}),
    ...(options.noReconnect ? { sentinelRetryStrategy: () => null } : {}),
  });
}

/** Where the connection goes, for logs and errors: never a password. */
export function describeRedis(connection: RedisConnection): string {
  if ('url' in connection) return redactUrlsIn(connection.url);
  const list = (nodes: HostPort[]) => nodes.map((n) => `${n.host}:${n.port}`).join(',');
  if (isCluster(connection)) return `Redis Cluster via ${list(connection.cluster.nodes)}`;
  return `Sentinel master "${connection.sentinel.name}" via ${list(connection.sentinel.sentinels)}`;
}
