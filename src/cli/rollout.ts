import { RolloutMarks } from '../fleet/rollout-marks.ts';
import { poolNamed, withRedis } from './context.ts';
import { type CliIo, exitCode, UsageError } from './io.ts';

/**
 * `rollout restart <pool>`: for code deployed without a new image. Every server of the pool that
 * exists now is replaced by the rolling surge-and-drain the scaler runs for a new snapshot: new
 * servers first, old ones drained (never cut off mid-job) once their replacements are ready.
 */
export function rolloutCommand(
  action: string,
  pool: string,
  flags: { config?: string | undefined },
  io: CliIo,
): Promise<number> {
  if (action !== 'restart')
    throw new UsageError(`rollout: unknown action "${action}"; use: rollout restart <pool>`);
  return withRedis(flags.config, io, async (redis, config) => {
    const chosen = poolNamed(config, pool);
    const marks = new RolloutMarks(redis, { prefix: config.redis.bullmqPrefix, cluster: config.cluster });
    await marks.restart(chosen.name, Date.now());
    io.out(
      `rollout restart of pool ${chosen.name}: its servers are replaced, at most ${chosen.maxSurge} at a time beyond the desired count; ` +
        'watch `rollout.*` events or `bullmq-autoscaler servers`',
    );
    return exitCode.ok;
  });
}
