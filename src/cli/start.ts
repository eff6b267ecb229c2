import type { Logger } from 'pino';
import { ProviderError } from '../../providers/provider.ts';
import { messageOf } from '../base/errors.ts';
import { createLogger, type LogFormat, logFormats } from '../base/log.ts';
import { redisConnectionOf } from '../config/redis-schema.ts';
import type { AutoscalerConfig } from '../config/schema.ts';
import { Autoscaler } from '../index.ts';
import { tokenFrom } from '../surfaces/compose.ts';
import { connectRedis, loadConfigFlag } from './context.ts';
import { type CliIo, exitCode, UsageError } from './io.ts';

/** Runs the scaler until SIGINT or SIGTERM, then stops it gracefully. */
export async function startCommand(
  flags: { config?: string | undefined; logFormat?: string | undefined },
  io: CliIo,
): Promise<number> {
  const format = logFormatFlag(flags.logFormat);
  const config = await loadConfigFlag(flags.config, io);
  // The status page's token must be there before anything is touched, not after Redis and the lease.
  tokenFrom(config.http.tokenEnv, process.env);
  await (await connectRedis(redisConnectionOf(config.redis))).quit();
  const logger = createLogger({ level: config.log.level, format: format ?? config.log.format });
  await checkSnapshot(config, io, logger);
  const scaler = new Autoscaler(config, { logger });
  await scaler.start();
  logger.info(
    {
      event: 'scaler.started',
      cluster: config.cluster,
      provider: config.provider.type,
      pools: config.pools.map((p) => p.name),
    },
    'scaler started',
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  logger.info({ event: 'scaler.stopping', signal }, 'stopping: finishing running provisioning jobs');
  await scaler.close();
  logger.info({ event: 'scaler.stopped' }, 'scaler stopped; servers keep running');
  logger.flush();
  return exitCode.ok;
}

function logFormatFlag(value: string | undefined): LogFormat | undefined {
  if (value === undefined) return undefined;
  const format = logFormats.find((f) => f === value);
  if (format === undefined)
    throw new UsageError(`--log-format: use ${logFormats.join(', ')} (got "${value}")`);
  return format;
}

/**
 * A snapshot that cannot boot anything (missing, listed without an id, not in the region) makes
 * every create fail: refused before the scaler runs, as a config error. DigitalOcean not
 * answering is not one; creates resolve the snapshot again when they need it.
 */
async function checkSnapshot(config: AutoscalerConfig, io: CliIo, logger: Logger): Promise<void> {
  if (config.provider.type !== 'digitalocean') return;
  const { checkDigitalOceanSnapshots } = await import('../../providers/digitalocean/index.ts');
  try {
    await checkDigitalOceanSnapshots(config.provider, io.env);
  } catch (error) {
    const message = messageOf(error);
    if (!(error instanceof ProviderError && error.retryable)) throw new UsageError(message);
    logger.warn({ event: 'provider.check_skipped', error: message }, 'snapshot not checked at start');
  }
}
