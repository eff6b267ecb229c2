import { messageOf } from '../base/errors.ts';
import { redactUrlsIn } from '../base/redact.ts';
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
  const checks: Check[] = [await redisCheck(config.redis.url)];
  const provider = config.provider;
  if (provider.type === 'local-process') {
    checks.push({ name: 'worker entry', ...(await checkWorkerEntry(provider.workerEntry)) });
  } else {
    const { runDigitalOceanDoctor } = await import('../../providers/digitalocean/index.ts');
    const firstPool = config.pools[0];
    const sampleEnv = serverEnvToVariables({
      serverId: `${firstPool?.name ?? 'pool'}-1`,
      serverName: `${config.cluster}-${firstPool?.name ?? 'pool'}-1`,
      pool: firstPool?.name ?? 'pool',
      redisUrl: config.redis.url,
      cluster: config.cluster,
      bullmqPrefix: config.redis.bullmqPrefix,
      queues: firstPool?.queues ?? [],
      slots: firstPool?.slotsPerServer ?? 1,
    });
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
  if (flags.json) io.out(JSON.stringify(checks, null, 2));
  else for (const c of checks) io.out(`${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
  return checks.every((c) => c.ok) ? exitCode.ok : exitCode.failure;
}

async function redisCheck(url: string): Promise<Check> {
  try {
    await (await connectRedis(url)).quit();
    return { name: 'Redis', ok: true, detail: `answers at ${redactUrlsIn(url)}` };
  } catch (error) {
    return { name: 'Redis', ok: false, detail: messageOf(error) };
  }
}
