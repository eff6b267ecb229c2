export { freePort } from '../../src/dev/ensure-redis.ts';

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { createLocalProcessProvider } from '../../providers/local-process/index.ts';
import { ownerTagOf } from '../../providers/provider.ts';
import type { AutoscalerConfigInput } from '../../src/config/schema.ts';
import { deletePrefix, redisUrl, uniquePrefix } from '../helpers/redis.ts';

const workerEntry = resolve('test/helpers/recording-worker.ts');

/**
 * A cluster of its own on the real Redis, served by local-process servers, with everything it
 * started undone by `cleanup()`: servers, keys and the provider's folder.
 */
export function fleetFixture(label: string, overrides: Partial<AutoscalerConfigInput> = {}) {
  const url = redisUrl();
  const prefix = uniquePrefix(label);
  const stateDir = mkdtempSync(join(tmpdir(), 'bullmq-autoscaler-http-'));
  const config: AutoscalerConfigInput = {
    cluster: prefix,
    redis: { url, bullmqPrefix: prefix },
    tickMs: 200,
    provider: { type: 'local-process', workerEntry, bootDelayMs: 200, stateDir },
    pools: [
      {
        name: 'main',
        queues: ['jobs'],
        slotsPerServer: 2,
        maxServers: 3,
        targetWaitMs: 2_000,
        bootSeconds: 1,
        defaultRuntimeMs: 60_000,
      },
    ],
    ...overrides,
  };
  const queue = new Queue('jobs', { connection: { url }, prefix });
  const provider = createLocalProcessProvider({ workerEntry, stateDir, cluster: prefix });
  return {
    config,
    queue,
    /** Jobs long enough to keep a backlog through a few ticks, short enough for a quick drain. */
    addSlowJobs: (count: number) =>
      queue.addBulk(Array.from({ length: count }, () => ({ name: 'slow', data: { ms: 2_000 } }))),
    cleanup: async () => {
      await queue.close();
      for (const server of await provider.list(ownerTagOf(prefix))) await provider.destroy(server.providerId);
      await provider.close();
      await deletePrefix(url, prefix);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Prometheus text format → samples, labels parsed; enough of the format for our own output. */
export function parseMetrics(
  text: string,
): { name: string; labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (match === null) throw new Error(`not a Prometheus sample: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [
          m[1],
          m[2],
        ]),
      );
      return { name: match[1] ?? '', labels, value: Number(match[3]) };
    });
}
