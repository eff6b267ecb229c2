import { messageOf } from '../base/errors.ts';
import { describeRedis, type RedisConnection } from '../base/redis-connection.ts';
import { redisConnectionOf } from '../config/redis-schema.ts';
import type { AutoscalerConfig } from '../config/schema.ts';
import { serverEnvToVariables } from '../worker/server-env.ts';
import { connectRedis, loadConfigFlag } from './context.ts';
import { type CliIo, exitCode } from './io.ts';
import { checkWorkerEntry } from './worker-check.ts';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** Checks that this config can create working servers; one line per check, exit 1 if any fails. */
export async function doctorCommand(flags: { config?: string; json?: boolean }, io: CliIo): Promise<number> {
  const config = await loadConfigFlag(flags.config, io);
  const redis = redisConnectionOf(config.redis, io.env);
  const checks: Check[] = [await redisCheck(redis)];
  const provider = config.provider;
  if (provider.type === 'local-process') {
    // The entry sees what a server's would (it may read it at load), under an id no server has.
    const env = sampleServerEnv(config, 'doctor');
    checks.push({ name: 'worker entry', ...(await checkWorkerEntry(provider.workerEntry, env)) });
  } else {
    const sampleEnv = sampleServerEnv(config, '1');
    if (provider.type === 'aws-ec2') {
      const { runAwsEc2Doctor } = await import('../../providers/aws-ec2/index.ts');
      checks.push(...(await runAwsEc2Doctor({ ...provider, cluster: config.cluster, sampleEnv })));
    } else {
      const { runDigitalOceanDoctor } = await import('../../providers/digitalocean/index.ts');
      const maxServers = Math.min(
        config.maxServersTotal,
        config.pools.reduce((n, p) => n + p.maxServers, 0),
      );
      checks.push(
        ...(await runDigitalOceanDoctor(
          { ...provider, cluster: config.cluster, maxServers, sampleEnv },
          io.env,
        )),
      );
    }
  }
  if (flags.json) io.out(JSON.stringify(checks, null, 2));
  else for (const c of checks) io.out(`${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
  return checks.every((c) => c.ok) ? exitCode.ok : exitCode.failure;
}

/** How a server reaches Redis, the way the scaler's specOf gives it. */
function serverRedisEnv(config: AutoscalerConfig): { redisUrl: string; redis: RedisConnection } {
  const redis = redisConnectionOf(config.redis);
  return { redisUrl: 'url' in redis ? redis.url : '', redis };
}

/** The environment a server of the first pool gets, for a server numbered `suffix`. */
function sampleServerEnv(config: AutoscalerConfig, suffix: string): Record<string, string> {
  const pool = config.pools[0];
  const name = pool?.name ?? 'pool';
  return serverEnvToVariables({
    serverId: `${name}-${suffix}`,
    serverName: `${config.cluster}-${name}-${suffix}`,
    pool: name,
    ...serverRedisEnv(config),
    cluster: config.cluster,
    bullmqPrefix: config.redis.bullmqPrefix,
    queues: pool?.queues ?? [],
    slots: pool?.slotsPerServer ?? 1,
    stalledCheckMs: config.lifecycle.stalledCheckMs,
  });
}

async function redisCheck(connection: RedisConnection): Promise<Check> {
  try {
    await (await connectRedis(connection)).quit();
    return { name: 'Redis', ok: true, detail: `answers at ${describeRedis(connection)}` };
  } catch (error) {
    return { name: 'Redis', ok: false, detail: messageOf(error) };
  }
}
