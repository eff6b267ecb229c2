import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import type { ScalingEvent } from '../../src/core/events.ts';
import { advanceLifecycle } from '../../src/fleet/lifecycle.ts';
import { requestedRecord, type ServerRecord } from '../../src/fleet/server-record.ts';
import { connectParts, type ScalerParts } from '../../src/scaler/parts.ts';
import { MemoryProvider } from '../fakes/memory-provider.ts';
import { localCluster } from '../helpers/local-cluster.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * The boot deadline runs from the provider's answer, not from the first create call: a create
 * slowed by API retries, or adopted after scaler crashes, still gets its whole boot time.
 */
describe('boot deadline', () => {
  it('counts from when the server was created, however long the create call took', async () => {
    const cluster = localCluster(
      'boot',
      'test/helpers/recording-worker.ts',
      {},
      {
        lifecycle: { bootTimeoutMs: 15_000 },
      },
    );
    cleanups.push(() => cluster.cleanup());
    const config = parseConfig(cluster.config, {});
    const events: ScalingEvent[] = [];
    const parts: ScalerParts = await connectParts({
      config,
      provider: new MemoryProvider(),
      instance: 'test',
      emit: (e) => events.push(e),
      now: () => Date.now(),
    });
    cleanups.push(async () => {
      await parts.provisioner.close();
      await Promise.all([parts.redis.quit(), parts.bullRedis.quit()]);
    });
    const now = Date.now();
    // Both were first asked for 20 s ago; one was created 1 s ago, the other 16 s ago.
    const booting = (id: string, createdAgoMs: number): ServerRecord => ({
      ...requestedRecord({
        id,
        name: `${config.cluster}-${id}`,
        pool: 'main',
        nowMs: now - 20_000,
        reason: 'created',
      }),
      state: 'booting',
      providerId: `p-${id}`,
      updatedAtMs: now - createdAgoMs,
      createCalledAtMs: now - 20_000,
    });
    await parts.store.add([booting('main-1', 1_000), booting('main-2', 16_000)]);
    await advanceLifecycle(
      {
        store: parts.store,
        provisioner: parts.provisioner,
        config,
        emit: (e) => events.push(e),
        lastSeen: new Map(),
        watchStalled: async () => {},
      },
      await parts.store.list(),
      new Map(),
      now,
    );
    expect(events.filter((e) => e.event === 'server.hanging')).toEqual([
      expect.objectContaining({ serverId: 'main-2', reason: 'not ready 16s after it was created' }),
    ]);
    expect((await parts.store.get('main-1'))?.state).toBe('booting');
  });
});
