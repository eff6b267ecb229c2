import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { createLocalProcessProvider } from '../../providers/local-process/index.ts';
import { ownerTagOf, type Provider } from '../../providers/provider.ts';
import type { AutoscalerConfigInput } from '../../src/config/schema.ts';
import { deletePrefix, redisUrl, uniquePrefix } from './redis.ts';

type PoolInput = AutoscalerConfigInput['pools'][number];

export interface LocalCluster {
  url: string;
  prefix: string;
  stateDir: string;
  config: AutoscalerConfigInput;
  /** The same provider the scaler uses, to look at the fleet from outside. */
  provider: Provider;
  queue(name: string): Queue;
  /** Writes the config to a file, for scalers started as processes. */
  configFile(): string;
  cleanup(): Promise<void>;
}

/**
 * A scaler cluster on the local-process provider with its own key prefix and state folder, and a
 * cleanup that destroys every server it left and deletes every key.
 */
export function localCluster(
  label: string,
  workerEntry: string,
  pool: Partial<PoolInput>,
  overrides: Partial<AutoscalerConfigInput> = {},
): LocalCluster {
  const url = redisUrl();
  const prefix = uniquePrefix(label);
  const stateDir = mkdtempSync(join(tmpdir(), 'bullmq-autoscaler-'));
  const config: AutoscalerConfigInput = {
    cluster: prefix,
    redis: { url, bullmqPrefix: prefix },
    tickMs: 200,
    provider: {
      type: 'local-process',
      workerEntry: resolve(workerEntry),
      bootDelayMs: 200,
      stateDir,
      killGraceMs: 2_000,
    },
    pools: [
      {
        name: 'main',
        queues: ['alpha'],
        slotsPerServer: 2,
        maxServers: 3,
        targetWaitMs: 3_000,
        bootSeconds: 1,
        scaleDownDelayMs: 1_000,
        idleToZeroMs: 1_500,
        defaultRuntimeMs: 100,
        ...pool,
      },
    ],
    ...overrides,
  };
  const provider = createLocalProcessProvider({
    workerEntry: resolve(workerEntry),
    stateDir,
    cluster: prefix,
    killGraceMs: 2_000,
  });
  const queues: Queue[] = [];
  return {
    url,
    prefix,
    stateDir,
    config,
    provider,
    queue(name) {
      const queue = new Queue(name, { connection: { url }, prefix });
      queues.push(queue);
      return queue;
    },
    configFile() {
      const path = join(stateDir, 'autoscaler.config.json');
      writeFileSync(path, JSON.stringify(config));
      return path;
    },
    async cleanup() {
      await Promise.all(queues.map((q) => q.close()));
      for (const server of await provider.list(ownerTagOf(prefix))) await provider.destroy(server.providerId);
      await deletePrefix(url, prefix);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
