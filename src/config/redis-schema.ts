import { z } from 'zod';
import { hasHashTag, type RedisConnection } from '../base/redis-connection.ts';

export const defaultRedisUrl = 'redis://127.0.0.1:6379';

const hostPort = z
  .object({
    host: z.string().min(1).describe('Host name or IP address.'),
    port: z.number().int().min(1).max(65_535).describe('TCP port.'),
  })
  .strict();

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'give the name of an environment variable, e.g. "REDIS_PASSWORD"');

export const redisSchema = z
  .object({
    url: z
      .string()
      .min(1)
      .optional()
      .describe(
        `One Redis, redis:// or rediss:// (TLS), password included (env REDIS_URL); ${defaultRedisUrl} when no form is given.`,
      ),
    cluster: z
      .object({
        nodes: z
          .array(hostPort)
          .min(1)
          .describe('Some nodes of the Redis Cluster; the others are discovered.'),
        natMap: z
          .record(z.string(), hostPort)
          .optional()
          .describe('Maps "host:port" the nodes announce to where this process and the servers reach them.'),
      })
      .strict()
      .optional()
      .describe(
        'A Redis Cluster, through ioredis’s Cluster client. BullMQ needs a hash tag: see bullmqPrefix.',
      ),
    sentinel: z
      .object({
        sentinels: z.array(hostPort).min(1).describe('Some of the Sentinels watching the master set.'),
        name: z.string().min(1).describe('The master set’s name as the Sentinels know it.'),
        role: z
          .literal('master')
          .default('master')
          .describe('The scaler and its workers write, so they always connect to the master.'),
        sentinelPasswordEnv: envName
          .optional()
          .describe('Environment variable holding the Sentinels’ own password, when they require one.'),
      })
      .strict()
      .optional()
      .describe('A Sentinel-managed master set, through ioredis’s Sentinel support; failovers are followed.'),
    username: z.string().min(1).optional().describe('ACL user, for the cluster or sentinel forms.'),
    passwordEnv: envName
      .optional()
      .describe('Environment variable holding the password, for the cluster or sentinel forms.'),
    tls: z.boolean().default(false).describe('TLS to every node (and to the Sentinels), for those forms.'),
    leaseReplicas: z
      .number()
      .int()
      .min(0)
      .max(16)
      .optional()
      .describe(
        'Replicas that must confirm the leader lease (Redis WAIT) before a scaler acts on it; 1 with sentinel, else 0.',
      ),
    bullmqPrefix: z
      .string()
      .min(1)
      .default('bull')
      .describe(
        'The BullMQ key prefix of your queues; under Redis Cluster it needs a hash tag, e.g. "{bull}".',
      ),
  })
  .strict()
  .superRefine((redis, ctx) => {
    const forms = (['url', 'cluster', 'sentinel'] as const).filter((form) => redis[form] !== undefined);
    if (forms.length > 1)
      ctx.addIssue({
        code: 'custom',
        path: [forms[1] ?? 'url'],
        message: `give one of url, cluster or sentinel, not ${forms.join(' and ')}`,
      });
    if (redis.url !== undefined)
      for (const field of ['username', 'passwordEnv'] as const)
        if (redis[field] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message:
              'only for the cluster or sentinel forms; a url carries its own (redis://user:password@host)',
          });
  })
  .default({ tls: false, bullmqPrefix: 'bull' })
  .describe('Where the BullMQ queues live: one of url, cluster or sentinel.');

export type RedisConfig = z.output<typeof redisSchema>;

/**
 * Under Redis Cluster every key one BullMQ script touches must hash to one slot: the prefix needs a
 * hash tag (all queues in one slot) or every queue name needs one (queues spread over slots).
 */
export function clusterPrefixProblem(redis: RedisConfig, queues: readonly string[]): string | undefined {
  if (redis.cluster === undefined || hasHashTag(redis.bullmqPrefix)) return undefined;
  const untagged = queues.filter((q) => !hasHashTag(q));
  if (untagged.length === 0) return undefined;
  return (
    `under Redis Cluster BullMQ needs a hash tag: use a prefix like "{${redis.bullmqPrefix}}" (all queues in ` +
    `one slot) — the same prefix your producers and workers use — or give every queue name one, like ` +
    `"{${untagged[0]}}" (queues spread over slots); untagged: ${untagged.slice(0, 5).join(', ')}`
  );
}

/** The connection the config describes, its password read from the environment it names. */
export function redisConnectionOf(redis: RedisConfig, env: NodeJS.ProcessEnv = process.env): RedisConnection {
  const secret = (name: string | undefined) => (name === undefined ? undefined : env[name]);
  const access = {
    username: redis.username,
    password: secret(redis.passwordEnv),
    tls: redis.tls,
  };
  if (redis.cluster !== undefined)
    return { ...access, cluster: { nodes: redis.cluster.nodes, natMap: redis.cluster.natMap } };
  if (redis.sentinel !== undefined) {
    const { sentinels, name, sentinelPasswordEnv } = redis.sentinel;
    return { ...access, sentinel: { sentinels, name, sentinelPassword: secret(sentinelPasswordEnv) } };
  }
  return { url: redis.url ?? defaultRedisUrl };
}

/** Replicas that must confirm the lease: by default one wherever a failover can promote a replica. */
export function leaseReplicasOf(redis: RedisConfig): number {
  return redis.leaseReplicas ?? (redis.sentinel === undefined ? 0 : 1);
}

/** Password variables the config names but the environment lacks: a connection doomed to fail. */
export function missingSecrets(redis: RedisConfig, env: NodeJS.ProcessEnv): string[] {
  const named: [string, string | undefined][] = [
    ['redis.passwordEnv', redis.passwordEnv],
    ['redis.sentinel.sentinelPasswordEnv', redis.sentinel?.sentinelPasswordEnv],
  ];
  return named
    .filter(([, name]) => name !== undefined && !env[name])
    .map(([field, name]) => `${field}: environment variable ${name} is not set; export the password in it`);
}
