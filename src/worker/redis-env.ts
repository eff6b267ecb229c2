import type { RedisConnection } from '../base/redis-connection.ts';

/**
 * How a server's worker learns where Redis is, through its environment (user_data on a cloud
 * server, the child's environment for the local-process provider):
 * - one Redis: `REDIS_URL` (password inside, as before);
 * - a Cluster or a Sentinel set: `REDIS_CONNECTION`, the JSON of the connection without any
 *   secret, e.g. `{"cluster":{"nodes":[{"host":"10.0.0.5","port":6379}]},"tls":false}` or
 *   `{"sentinel":{"sentinels":[…],"name":"mymaster"}}`, plus `REDIS_PASSWORD` and
 *   `REDIS_SENTINEL_PASSWORD` when there are passwords. Secrets stay in variables of their own so
 *   that nothing printing the connection can print them.
 */
export const redisEnvNames = {
  url: 'REDIS_URL',
  connection: 'REDIS_CONNECTION',
  password: 'REDIS_PASSWORD',
  sentinelPassword: 'REDIS_SENTINEL_PASSWORD',
} as const;

/**
 * All four variables, always: the unused ones empty, so one user_data template that names every
 * placeholder serves all three forms.
 */
export function redisConnectionToVariables(connection: RedisConnection): Record<string, string> {
  const variables: Record<string, string> = Object.fromEntries(
    Object.values(redisEnvNames).map((n) => [n, '']),
  );
  if ('url' in connection) return { ...variables, [redisEnvNames.url]: connection.url };
  const { password, ...rest } = connection;
  if ('sentinel' in rest) {
    const { sentinelPassword, ...sentinel } = rest.sentinel;
    variables[redisEnvNames.connection] = JSON.stringify({ ...rest, sentinel });
    if (sentinelPassword !== undefined) variables[redisEnvNames.sentinelPassword] = sentinelPassword;
  } else {
    variables[redisEnvNames.connection] = JSON.stringify(rest);
  }
  if (password !== undefined) variables[redisEnvNames.password] = password;
  return variables;
}

/** The connection the environment describes, or undefined when it names none. */
export function redisConnectionFromVariables(source: NodeJS.ProcessEnv): RedisConnection | undefined {
  const json = source[redisEnvNames.connection];
  if (!json) return source[redisEnvNames.url] ? { url: source[redisEnvNames.url] ?? '' } : undefined;
  const parsed = parseConnection(json);
  const password = source[redisEnvNames.password] || undefined;
  if ('cluster' in parsed) return { ...parsed, password };
  const sentinelPassword = source[redisEnvNames.sentinelPassword] || undefined;
  return { ...parsed, password, sentinel: { ...parsed.sentinel, sentinelPassword } };
}

function parseConnection(json: string): Exclude<RedisConnection, { url: string }> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(
      `${redisEnvNames.connection}: not JSON; the autoscaler writes it, do not edit it by hand`,
    );
  }
  const ok =
    typeof value === 'object' &&
    value !== null &&
    (hasNodes(value, 'cluster', 'nodes') || hasNodes(value, 'sentinel', 'sentinels'));
  if (!ok)
    throw new Error(
      `${redisEnvNames.connection}: needs "cluster" with "nodes" or "sentinel" with "sentinels"`,
    );
  return value as Exclude<RedisConnection, { url: string }>;
}

function hasNodes(value: object, form: string, list: string): boolean {
  const inner = (value as Record<string, unknown>)[form];
  return (
    typeof inner === 'object' && inner !== null && Array.isArray((inner as Record<string, unknown>)[list])
  );
}
