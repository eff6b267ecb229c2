import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import type { AutoscalerConfigInput } from '../../src/config/schema.ts';
import type { ScalingEvent } from '../../src/core/events.ts';
import { advanceLifecycle, workerReconnectMs } from '../../src/fleet/lifecycle.ts';
import { requestedRecord, type ServerRecord } from '../../src/fleet/server-record.ts';
import { connectParts, type ScalerParts } from '../../src/scaler/parts.ts';
import { MemoryProvider } from '../fakes/memory-provider.ts';
import { localCluster } from '../helpers/local-cluster.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The lifecycle step against real Redis, with the clock and the heartbeat watch in the test's hands. */
async function lifecycleFixture(label: string, lifecycle: AutoscalerConfigInput['lifecycle']) {
  const cluster = localCluster(label, 'test/helpers/recording-worker.ts', {}, { lifecycle });
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
  const record = (id: string, fields: Partial<ServerRecord>, askedAtMs: number): ServerRecord => ({
    ...requestedRecord({
      id,
      name: `${config.cluster}-${id}`,
      pool: 'main',
      nowMs: askedAtMs,
      reason: 'created',
    }),
    providerId: `p-${id}`,
    ...fields,
  });
  const advance = async (nowMs: number, heartbeatsWatchedSinceMs: number) =>
    advanceLifecycle(
      {
        store: parts.store,
        provisioner: parts.provisioner,
        config,
        emit: (e) => events.push(e),
        lastSeen: new Map(),
        heartbeatsWatchedSinceMs,
        watchStalled: async () => {},
      },
      await parts.store.list(),
      new Map(),
      nowMs,
    );
  return { parts, events, record, advance };
}

/**
 * The boot deadline runs from the provider's answer, not from the first create call: a create
 * slowed by API retries, or adopted after scaler crashes, still gets its whole boot time.
 */
describe('boot deadline', () => {
  it('counts from when the server was created, however long the create call took', async () => {
    const { parts, events, record, advance } = await lifecycleFixture('boot', { bootTimeoutMs: 15_000 });
    const now = Date.now();
    // Both were first asked for 20 s ago; one was created 1 s ago, the other 16 s ago.
    const booting = (id: string, createdAgoMs: number) =>
      record(
        id,
        { state: 'booting', updatedAtMs: now - createdAgoMs, createCalledAtMs: now - 20_000 },
        now - 20_000,
      );
    await parts.store.add([booting('main-1', 1_000), booting('main-2', 16_000)]);
    await advance(now, 0);
    expect(events.filter((e) => e.event === 'server.hanging')).toEqual([
      expect.objectContaining({ serverId: 'main-2', reason: 'not ready 16s after it was created' }),
    ]);
    expect((await parts.store.get('main-1'))?.state).toBe('booting');
  });
});

/**
 * After an outage or a lease regained, no heartbeat key may be left although every server
 * worked on: a server is judged only on heartbeats missed since Redis answered again.
 */
describe('heartbeat loss', () => {
  it('counts from when the watch began, not from a heartbeat missed before it', async () => {
    const heartbeatLostMs = 5_000;
    const { parts, events, record, advance } = await lifecycleFixture('watch', { heartbeatLostMs });
    const now = Date.now();
    // Ready a minute ago, never heard by this scaler: an outage ended (or the lease came back) now.
    await parts.store.add([
      record('main-1', { state: 'ready', readyAtMs: now - 60_000, updatedAtMs: now - 60_000 }, now - 70_000),
    ]);
    // Its worker's client may get Redis back up to workerReconnectMs after the scaler's did.
    const deadline = now + workerReconnectMs + heartbeatLostMs;
    await advance(now, now);
    await advance(deadline, now);
    expect(events.filter((e) => e.event === 'server.failed')).toEqual([]);
    // Still silent a whole heartbeatLostMs after it could have been heard: that one has failed.
    await advance(deadline + 1, now);
    expect(events.filter((e) => e.event === 'server.failed')).toEqual([
      expect.objectContaining({ serverId: 'main-1', reason: 'heartbeat lost' }),
    ]);
  });
});
