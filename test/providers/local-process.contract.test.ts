import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalProcessProvider } from '../../providers/local-process/index.ts';
import { ownerTagOf } from '../../providers/provider.ts';
import { redisUrl, uniquePrefix } from '../helpers/redis.ts';
import { runProviderContract } from './contract.ts';

/** A local-process provider (and a second server type) in a fresh state folder, and its cleanup. */
function localProvider(label: string) {
  const stateDir = mkdtempSync(join(tmpdir(), `bullmq-autoscaler-${label}-`));
  const cluster = uniquePrefix(label);
  // The entry only has to stay up: these tests are about the provider, not the worker.
  const provider = createLocalProcessProvider({
    workerEntry: 'test/helpers/idle-server.mjs',
    bootDelayMs: 0,
    stateDir,
    cluster,
    killGraceMs: 2_000,
    serverTypes: { slow: { bootDelayMs: 100 } },
  });
  return {
    provider,
    cluster,
    stateDir,
    secondType: 'slow',
    cleanup: async () => {
      await provider.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

runProviderContract('local-process', async () => localProvider('contract'), {
  env: { REDIS_URL: redisUrl() },
  activeTimeoutMs: 10_000,
});

describe('local-process state files', () => {
  it('are the operator’s alone: the folder 0700, records and logs 0600', async () => {
    const { provider, cluster, stateDir, cleanup } = localProvider('modes');
    try {
      const [created] = await provider.create([
        {
          serverId: 'main-1',
          name: `${cluster}-main-1`,
          pool: 'main',
          type: 'default',
          tags: [ownerTagOf(cluster)],
          env: {},
        },
      ]);
      const dir = join(stateDir, cluster);
      const mode = (path: string) => statSync(path).mode & 0o777;
      expect(mode(dir)).toBe(0o700);
      expect(readdirSync(dir).map((f) => [f, mode(join(dir, f))])).toEqual(
        expect.arrayContaining([
          [`${created?.providerId}.json`, 0o600],
          [`${created?.providerId}.log`, 0o600],
        ]),
      );
      await provider.destroy(created?.providerId ?? '');
    } finally {
      await cleanup();
    }
  });
});
