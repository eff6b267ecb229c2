import { Queue } from 'bullmq';
import type { Provider } from '../../providers/provider.ts';
import type { AutoscalerConfigInput } from '../../src/config/schema.ts';
import { Autoscaler } from '../../src/index.ts';
import { benchPrefix, deletePrefix } from './redis.ts';

type PoolInput = AutoscalerConfigInput['pools'][number];

export interface ConfigOptions {
  /** Provider block for the config: it must validate, but the injected provider is what runs. */
  providerConfig?: AutoscalerConfigInput['provider'];
  pool?: Partial<PoolInput>;
  maxServersTotal?: number;
}

export interface RigOptions extends ConfigOptions {
  provider: Provider;
}

export interface Rig {
  url: string;
  prefix: string;
  cluster: string;
  config: AutoscalerConfigInput;
  /** The pool's first queue, for producing jobs. */
  queue: Queue;
  scaler: Autoscaler;
}

export const benchCluster = 'bench';

/** Defaults everywhere except what a benchmark names: the tick stays the default 1000 ms. */
export function rigConfig(url: string, prefix: string, options: ConfigOptions): AutoscalerConfigInput {
  return {
    cluster: benchCluster,
    redis: { url, bullmqPrefix: prefix },
    maxServersTotal: options.maxServersTotal ?? 200,
    provider: options.providerConfig ?? { type: 'local-process', workerEntry: 'examples/worker.ts' },
    pools: [{ name: 'main', queues: ['jobs'], maxServers: 200, ...options.pool }],
  };
}

/** A scaler (not started) on a fresh key prefix, torn down and its keys deleted afterwards. */
export async function withRig<T>(
  url: string,
  label: string,
  options: RigOptions,
  run: (rig: Rig) => Promise<T>,
): Promise<T> {
  const prefix = benchPrefix(label);
  const config = rigConfig(url, prefix, options);
  const scaler = new Autoscaler(config, { provider: options.provider });
  const queue = new Queue(config.pools[0]?.queues[0] ?? 'jobs', { connection: { url }, prefix });
  try {
    return await run({ url, prefix, cluster: benchCluster, config, queue, scaler });
  } finally {
    await scaler.close();
    await queue.close();
    await deletePrefix(url, prefix);
  }
}

/** Adds `count` jobs at once, as a burst from producers would. */
export async function addJobs(queue: Queue, count: number): Promise<void> {
  for (let from = 0; from < count; from += 1000) {
    const size = Math.min(1000, count - from);
    await queue.addBulk(Array.from({ length: size }, () => ({ name: 'job', data: {} })));
  }
}
