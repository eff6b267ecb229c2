import { drainServer } from '../fleet/drain.ts';
import { FleetStore } from '../fleet/fleet-store.ts';
import { withRedis } from './context.ts';
import { type CliIo, exitCode, UsageError } from './io.ts';

/**
 * `drain <server>`: the same drain a scale-down starts, audited as a manual drain. The scaler then
 * deletes the server once its worker reports drained, and replaces it if the pool still needs one.
 */
export function drainCommand(serverId: string, flags: { config?: string }, io: CliIo): Promise<number> {
  return withRedis(flags.config, io, async (redis, config) => {
    const store = new FleetStore(redis, { prefix: config.redis.bullmqPrefix, cluster: config.cluster });
    const record = await store.get(serverId);
    if (record === undefined)
      throw new UsageError(`server: no server "${serverId}"; \`bullmq-autoscaler servers\` lists them`);
    if (!(await drainServer(store, record, 'manual drain', Date.now()))) {
      io.err(`error: server ${serverId} is ${record.state}; only ready or booting servers can be drained`);
      return exitCode.failure;
    }
    io.out(`draining ${serverId} (pool ${record.pool}); the scaler deletes it once its jobs are done`);
    return exitCode.ok;
  });
}
