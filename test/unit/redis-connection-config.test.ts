import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRedis } from '../../src/base/redis-connection.ts';
import { ConfigError, parseConfig } from '../../src/config/load.ts';
import { redisConnectionOf } from '../../src/config/redis-schema.ts';
import { readServerEnv, serverEnvToVariables } from '../../src/worker/server-env.ts';

const provider = { type: 'local-process', workerEntry: resolve('examples/worker.ts') };
const nodes = [{ host: '127.0.0.1', port: 7000 }];
const sentinels = [{ host: '127.0.0.1', port: 26379 }];

function configWith(redis: Record<string, unknown>, queues = ['jobs']) {
  return { provider, pools: [{ name: 'main', queues }], redis };
}

function problems(raw: unknown, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(raw, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('the three forms of redis', () => {
  it('a URL, a Cluster with a hash-tagged prefix and a Sentinel set are accepted', () => {
    expect(problems(configWith({ url: 'redis://10.0.0.5:6379' }))).toEqual([]);
    expect(problems(configWith({ cluster: { nodes }, bullmqPrefix: '{bull}' }))).toEqual([]);
    expect(problems(configWith({ cluster: { nodes } }, ['{orders}', '{mail}']))).toEqual([]);
    expect(problems(configWith({ sentinel: { sentinels, name: 'mymaster' } }))).toEqual([]);
  });

  it('refuses a Cluster whose prefix and queue names carry no hash tag, naming the field and the fix', () => {
    const [problem, ...rest] = problems(configWith({ cluster: { nodes } }, ['{orders}', 'mail']));
    expect(rest).toEqual([]);
    expect(problem).toMatch(
      /^redis\.bullmqPrefix: under Redis Cluster BullMQ needs a hash tag: use a prefix like "\{bull\}"/,
    );
    expect(problem).toMatch(/untagged: mail$/);
  });

  it('refuses two forms at once and a password beside a URL', () => {
    expect(problems(configWith({ url: 'redis://x', cluster: { nodes }, bullmqPrefix: '{b}' }))).toEqual([
      'redis.cluster: give one of url, cluster or sentinel, not url and cluster',
    ]);
    expect(problems(configWith({ url: 'redis://x', passwordEnv: 'P' }))).toEqual([
      'redis.passwordEnv: only for the cluster or sentinel forms; a url carries its own (redis://user:password@host)',
    ]);
  });

  it('refuses a password variable that is not set, before anything connects', () => {
    const raw = configWith({ sentinel: { sentinels, name: 'm' }, passwordEnv: 'TEST_REDIS_PW' });
    expect(problems(raw)).toEqual([
      'redis.passwordEnv: environment variable TEST_REDIS_PW is not set; export the password in it',
    ]);
    expect(problems(raw, { TEST_REDIS_PW: 'pw' })).toEqual([]);
  });

  it('REDIS_URL replaces only the URL form', () => {
    const env = { REDIS_URL: 'redis://elsewhere:6379' };
    expect(parseConfig(configWith({ url: 'redis://here:6379' }), env).redis.url).toBe(env.REDIS_URL);
    const sentinel = parseConfig(configWith({ sentinel: { sentinels, name: 'm' } }), env).redis;
    expect(sentinel.url).toBeUndefined();
    expect(redisConnectionOf(sentinel)).toMatchObject({ sentinel: { name: 'm' } });
  });
});

describe('the worker environment encoding', () => {
  const server = {
    serverId: 'main-1',
    serverName: 'c-main-1',
    pool: 'main',
    cluster: 'c',
    bullmqPrefix: '{bull}',
    queues: ['jobs'],
    slots: 2,
  };

  it('carries a Cluster to the worker, its password in a variable of its own', () => {
    const redis = {
      cluster: { nodes, natMap: { '10.1.0.1:6379': { host: '127.0.0.1', port: 7000 } } },
      password: 's3cret',
      tls: true,
    };
    const vars = serverEnvToVariables({ ...server, redisUrl: '', redis });
    expect(vars.REDIS_URL).toBe('');
    expect(vars.REDIS_PASSWORD).toBe('s3cret');
    expect(vars.REDIS_CONNECTION).not.toContain('s3cret');
    expect(readServerEnv(vars).redis).toEqual(redis);
  });

  it('carries a Sentinel set, both passwords apart from the JSON', () => {
    const redis = {
      sentinel: { sentinels, name: 'mymaster', sentinelPassword: 'sentinel-pw' },
      password: 'master-pw',
      username: 'app',
    };
    const vars = serverEnvToVariables({ ...server, redisUrl: '', redis });
    expect(vars.REDIS_CONNECTION).not.toMatch(/pw/);
    expect(vars.REDIS_SENTINEL_PASSWORD).toBe('sentinel-pw');
    expect(readServerEnv(vars).redis).toEqual(redis);
  });

  it('keeps REDIS_URL for one Redis, as before', () => {
    const vars = serverEnvToVariables({ ...server, redisUrl: 'redis://:pw@h:6379' });
    expect(vars.REDIS_URL).toBe('redis://:pw@h:6379');
    expect(vars.REDIS_CONNECTION).toBe('');
    expect(vars.REDIS_PASSWORD).toBe('');
    expect(readServerEnv(vars)).toMatchObject({
      redisUrl: 'redis://:pw@h:6379',
      redis: { url: 'redis://:pw@h:6379' },
    });
  });

  it('refuses an environment with no Redis at all, and a hand-broken REDIS_CONNECTION', () => {
    const { REDIS_URL: _, ...none } = serverEnvToVariables({ ...server, redisUrl: 'redis://h' });
    expect(() => readServerEnv(none)).toThrow(/missing environment REDIS_URL \(or REDIS_CONNECTION\)/);
    expect(() => readServerEnv({ ...none, REDIS_CONNECTION: '{"nodes":[]}' })).toThrow(/needs "cluster"/);
  });

  it('describes each form without its password', () => {
    expect(describeRedis({ url: 'redis://:pw@h:6379' })).not.toContain('pw');
    expect(describeRedis({ cluster: { nodes }, password: 'pw' })).toBe('Redis Cluster via 127.0.0.1:7000');
    expect(describeRedis({ sentinel: { sentinels, name: 'm' }, password: 'pw' })).toBe(
      'Sentinel master "m" via 127.0.0.1:26379',
    );
  });
});
