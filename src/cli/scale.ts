import { PinStore } from '../fleet/pin-store.ts';
import { poolNamed, withRedis } from './context.ts';
import { parseDuration } from './duration.ts';
import { type CliIo, exitCode, UsageError } from './io.ts';

interface ScaleFlags {
  config?: string | undefined;
  pin?: string | undefined;
  for?: string | undefined;
  unpin: boolean;
}

export function pinUntil(untilMs: number | undefined): string {
  return untilMs === undefined ? 'until --unpin' : `until ${new Date(untilMs).toISOString()}`;
}

/** `scale <pool> --pin N [--for 30m]` / `--unpin`: an operator's override the scaler applies each tick. */
export function scaleCommand(poolName: string, flags: ScaleFlags, io: CliIo): Promise<number> {
  if ((flags.pin === undefined) === !flags.unpin)
    throw new UsageError('scale: give either --pin <servers> or --unpin');
  if (flags.unpin && flags.for !== undefined) throw new UsageError('--for: only goes with --pin');
  return withRedis(flags.config, io, async (redis, config) => {
    const pool = poolNamed(config, poolName);
    const pins = new PinStore(redis, { prefix: config.redis.bullmqPrefix, cluster: config.cluster });
    if (flags.pin === undefined) {
      const removed = await pins.clear(pool.name);
      io.out(removed ? `unpinned pool ${pool.name}` : `pool ${pool.name} was not pinned`);
      return exitCode.ok;
    }
    const servers = Number(flags.pin);
    if (!Number.isInteger(servers) || servers < 0 || servers > pool.maxServers)
      throw new UsageError(
        `--pin: use a whole number from 0 to the pool's maxServers (${pool.maxServers}); got "${flags.pin}"`,
      );
    const nowMs = Date.now();
    const untilMs = flags.for === undefined ? undefined : nowMs + parseDuration(flags.for, '--for');
    await pins.set({ pool: pool.name, servers, untilMs, setAtMs: nowMs });
    io.out(`pinned pool ${pool.name} to ${servers} server(s) ${pinUntil(untilMs)}`);
    return exitCode.ok;
  });
}
