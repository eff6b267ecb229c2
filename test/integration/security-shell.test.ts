import * as childProcess from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Autoscaler } from '../../src/index.ts';
import { localCluster } from '../helpers/local-cluster.ts';
import { waitFor } from '../helpers/redis.ts';

// Every spawn made while this file runs is recorded, the local provider's included.
vi.mock('node:child_process', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:child_process')>();
  return { ...actual, spawn: vi.fn(actual.spawn) };
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/*
 * The local-process provider hands configuration (queue names, the worker entry's path, the
 * Redis URL) to a child process. None of it may pass through a shell: a value that a shell would
 * run must stay a plain string.
 */
describe('the local provider never uses a shell', () => {
  it('a queue name and a worker path holding $(touch …) start a working server and run nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bullmq-autoscaler-shell-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const marker = join(dir, 'pwned');
    const payload = `$(touch ${marker})`;
    const entryDir = join(dir, `${payload}; touch ${marker}-2 #`);
    mkdirSync(entryDir, { recursive: true });
    // .mts: outside the repository no package.json says the file is an ES module.
    const entry = join(entryDir, 'worker.mts');
    writeFileSync(entry, `import ${JSON.stringify(resolve('test/chaos/chaos-worker.ts'))};\n`);
    const queueName = `jobs ${payload} \`touch ${marker}-3\``;

    const cluster = localCluster('shell', entry, { queues: [queueName], maxServers: 1 });
    cleanups.push(() => cluster.cleanup());
    const scaler = new Autoscaler(cluster.config);
    cleanups.push(() => scaler.close());
    const queue = cluster.queue(queueName);
    const job = await queue.add('job', { ms: 10 });
    await scaler.start();

    await waitFor('the job to complete on a local server', async () =>
      (await queue.getJobState(job.id ?? '')) === 'completed' ? true : undefined,
    );
    const spawns = vi.mocked(childProcess.spawn).mock.calls;
    expect(spawns.length).toBeGreaterThan(0);
    for (const [command, , options] of spawns) {
      expect(options?.shell ?? false, `spawn of ${command} used a shell`).toBe(false);
    }
    expect([marker, `${marker}-2`, `${marker}-3`].filter((m) => existsSync(m))).toEqual([]);
  });
});
