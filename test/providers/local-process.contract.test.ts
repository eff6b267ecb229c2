import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalProcessProvider } from '../../providers/local-process/index.ts';
import { redisUrl, uniquePrefix } from '../helpers/redis.ts';
import { runProviderContract } from './contract.ts';

runProviderContract(
  'local-process',
  async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'bullmq-autoscaler-contract-'));
    const cluster = uniquePrefix('contract');
    // The entry only has to stay up: the contract is about the provider, not the worker.
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
      secondType: 'slow',
      cleanup: async () => {
        await provider.close();
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  },
  { env: { REDIS_URL: redisUrl() }, activeTimeoutMs: 10_000 },
);
