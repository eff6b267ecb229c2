import { type Processor, Worker, type WorkerOptions } from 'bullmq';
import { createRedisClient, type RedisClient } from '../base/redis-connection.ts';
import { scalerKeys } from '../base/redis-keys.ts';
import { encodeHeartbeat } from '../core/heartbeat.ts';
import {
  loadCheckMarker,
  loadCheckVariable,
  readServerEnv,
  type ServerEnv,
  serverRedisConnection,
  workerNameOf,
} from './server-env.ts';
import { spotNoticeSettings, watchSpotNotices } from './spot-notices.ts';

export type { RedisClient, RedisConnection } from '../base/redis-connection.ts';
export { readServerEnv, type ServerEnv, serverEnvToVariables, serverRedisConnection } from './server-env.ts';

/**
 * A Redis client for the server's own use (results, logs), connected the way the scaler told the
 * server to: one Redis, a Cluster or a Sentinel set.
 */
export function serverRedis(env: ServerEnv = readServerEnv()): RedisClient {
  return createRedisClient(serverRedisConnection(env), { maxRetriesPerRequest: null });
}

export interface ServerWorkerOptions {
  /** The BullMQ queues this server serves; defaults to its pool's queues (QUEUES). */
  queues?: string[];
  /** Runs one job; the same processor serves every queue. */
  processor: Processor;
  /**
   * Jobs run at once per queue; defaults to the pool's slotsPerServer (SLOTS).
   */
  concurrency?: number;
  /**
   * How often the server proves it is alive and checks for its drain signal.
   * @default 1000
   */
  heartbeatMs?: number;
  /**
   * Extra BullMQ worker options (connection, name and concurrency are set here). `lockDuration`
   * and `stalledInterval` default to the scaler's stalledCheckMs (STALLED_CHECK_MS); set them
   * here to override, e.g. for jobs that block the event loop longer than half the lock.
   */
  workerOptions?: Omit<WorkerOptions, 'connection' | 'name' | 'concurrency' | 'prefix'>;
  /** Read from SERVER_ID, SERVER_NAME, POOL, REDIS_URL or REDIS_CONNECTION (+ REDIS_PASSWORD), AUTOSCALER_CLUSTER, BULLMQ_PREFIX, QUEUES, SLOTS when omitted. */
  env?: ServerEnv;
  /**
   * End the process once drained, as a server should.
   * @default true
   */
  exitWhenDrained?: boolean;
  /**
   * Watch EC2's metadata service for a spot interruption or rebalance notice, and on one drain
   * at once and tell the scaler, which replaces the server without waiting. The EC2 provider
   * turns it on through user_data (AUTOSCALER_IMDS_WATCH=1; AUTOSCALER_IMDS_ENDPOINT overrides
   * the address).
   * @default from the environment; false elsewhere
   */
  spotNotices?: { endpoint: string; pollMs?: number } | false;
}

export interface ServerWorker {
  readonly workers: Worker[];
  /** Resolves once the server has drained: every active job finished, none taken since. */
  readonly drained: Promise<void>;
  drain(reason: string): Promise<void>;
}

/**
 * What runs on a worker server: BullMQ workers named after the server, a heartbeat that makes the
 * server count as ready, and a graceful drain on the scaler's signal or SIGTERM.
 */
export async function runServerWorker(options: ServerWorkerOptions): Promise<ServerWorker> {
  if (process.env[loadCheckVariable] === '1') {
    process.stdout.write(`${loadCheckMarker}\n`);
    process.exit(0);
  }
  const env = options.env ?? readServerEnv();
  const keys = scalerKeys({ prefix: env.bullmqPrefix, cluster: env.cluster });
  const connection = serverRedis(env);
  const heartbeatMs = options.heartbeatMs ?? 1_000;
  const concurrency = options.concurrency ?? env.slots;
  const queues = options.queues ?? env.queues;
  if (queues.length === 0) throw new Error('runServerWorker: no queues given and QUEUES is empty');
  // A server drained before its worker even started must not take a single job.
  if ((await connection.exists(keys.drain(env.serverId))) === 1) {
    await connection.set(keys.drained(env.serverId), String(Date.now()));
    await connection.quit();
    if (options.exitWhenDrained ?? true) process.exit(0);
    return { workers: [], drained: Promise.resolve(), drain: async () => {} };
  }

  let active = 0;
  const counted: Processor = async (job, token, signal) => {
    active++;
    try {
      return await options.processor(job, token, signal);
    } finally {
      active--;
    }
  };
  const workers = queues.map(
    (queue) =>
      new Worker(queue, counted, {
        ...lockOptionsOf(env),
        ...options.workerOptions,
        connection,
        prefix: env.bullmqPrefix,
        name: workerNameOf(env.serverName),
        concurrency,
      }),
  );

  const beat = () =>
    connection.set(
      keys.heartbeat(env.serverId),
      encodeHeartbeat({ activeJobs: active, slots: concurrency, atMs: Date.now() }),
      'PX',
      heartbeatMs * 5,
    );
  let resolveDrained = () => {};
  const drained = new Promise<void>((resolve) => {
    resolveDrained = resolve;
  });
  let draining: Promise<void> | undefined;
  const drain = (reason: string): Promise<void> => {
    draining ??= (async () => {
      console.log(JSON.stringify({ event: 'server.draining', serverId: env.serverId, reason }));
      clearInterval(timer);
      // close() waits for active jobs and takes no new ones.
      await Promise.all(workers.map((w) => w.close()));
      await connection.del(keys.heartbeat(env.serverId));
      await connection.set(keys.drained(env.serverId), String(Date.now()));
      await connection.quit();
      console.log(JSON.stringify({ event: 'server.drained', serverId: env.serverId }));
      resolveDrained();
      if (options.exitWhenDrained ?? true) process.exit(0);
    })();
    return draining;
  };
  const timer = setInterval(() => {
    void tick().catch(() => {});
  }, heartbeatMs);
  const tick = async () => {
    if ((await connection.exists(keys.drain(env.serverId))) === 1) return drain('drain signal');
    await beat();
  };
  process.once('SIGTERM', () => void drain('SIGTERM'));
  const spot = options.spotNotices ?? spotNoticeSettings(process.env) ?? false;
  const watch =
    spot === false
      ? undefined
      : watchSpotNotices({
          ...spot,
          onNotice: (notice) => {
            // Told first, so the scaler orders the replacement while the jobs here finish.
            void connection
              .set(
                keys.interrupted(env.serverId),
                JSON.stringify({ ...notice, atMs: Date.now() }),
                'EX',
                3_600,
              )
              .catch(() => {})
              .finally(() => void drain(`spot ${notice.kind} notice`));
          },
        });
  void drained.then(() => watch?.stop());
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  await beat();
  return { workers, drained, drain };
}

/**
 * A dead server's jobs return once their lock has lapsed and a stalled check has run: with both
 * at stalledCheckMs that is within about twice it, instead of BullMQ's 30 s lock.
 */
function lockOptionsOf(env: ServerEnv): Pick<WorkerOptions, 'lockDuration' | 'stalledInterval'> {
  if (env.stalledCheckMs === undefined) return {};
  return { lockDuration: env.stalledCheckMs, stalledInterval: env.stalledCheckMs };
}
