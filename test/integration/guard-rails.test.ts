import { afterEach, describe, expect, it } from 'vitest';
import { Autoscaler } from '../../src/index.ts';
import { MemoryProvider, unavailable } from '../fakes/memory-provider.ts';
import { captureLog } from '../helpers/capture-log.ts';
import { localCluster } from '../helpers/local-cluster.ts';
import { waitFor } from '../helpers/redis.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function scalerWith(
  label: string,
  provider: MemoryProvider,
  overrides: Parameters<typeof localCluster>[3] = {},
) {
  const cluster = localCluster(
    label,
    'test/helpers/idle-server.mjs',
    { maxServers: 4, slotsPerServer: 1 },
    {
      createFailureBackoffMs: 300,
      maxServersTotal: 4,
      ...overrides,
      lifecycle: { provisioningRetryMs: 20, circuitBreakerFailures: 2, ...overrides.lifecycle },
    },
  );
  cleanups.push(() => cluster.cleanup());
  const log = captureLog();
  const scaler = new Autoscaler(cluster.config, { logger: log.logger, provider });
  cleanups.push(() => scaler.close());
  return { cluster, log, scaler };
}

describe('guard rails on money', () => {
  it('a create that always fails cannot run away: bounded calls, backoff, an open circuit, never over the cap', async () => {
    const provider = new MemoryProvider({
      create: () => {
        throw unavailable('droplet create unavailable');
      },
    });
    const { cluster, log, scaler } = scalerWith('runaway', provider);
    await cluster.queue('alpha').addBulk(Array.from({ length: 50 }, () => ({ name: 'job', data: {} })));
    await scaler.start();
    await waitFor('the circuit to open', async () => log.events('circuit.open').length > 0, 30_000);
    const callsAtOpen = provider.calls.create;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // Each failed batch costs 4 attempts; with the backoff doubling from 300 ms, 3 s more allow at most 3 more rounds.
    expect(provider.calls.create - callsAtOpen).toBeLessThanOrEqual(3 * 4);
    expect(provider.createdSpecs).toEqual([]);
    const requested = log.events('server.requested').length;
    const failed = log.events('server.failed').length;
    // Never more than the cap waiting on the provider at once.
    expect(requested - failed).toBeLessThanOrEqual(4);
    expect(log.events('circuit.open')[0]).toMatchObject({ pool: 'main', failures: 2 });
    // Every failed try is a warning with its count, not only the last.
    const creates = log.events('provider.error').filter((l) => l.operation === 'create');
    expect(new Set(creates.map((l) => l.attempt))).toEqual(new Set([1, 2, 3, 4]));
    expect(new Set(creates.map((l) => `${l.level} of ${l.maxAttempts}`))).toEqual(new Set(['40 of 4']));
  });

  it('servers that never boot open the circuit; a destroy that keeps failing is tried again until it succeeds', async () => {
    // The first server's destroy fails through a whole job's attempts, then works.
    const failures = new Map<string, number>();
    const provider = new MemoryProvider({
      destroy: (providerId) => {
        const n = (failures.get(providerId) ?? 0) + 1;
        failures.set(providerId, n);
        if (providerId.endsWith('-main-1') && n <= 10) throw unavailable('droplet delete unavailable');
      },
    });
    const { cluster, log, scaler } = scalerWith('undying', provider, {
      lifecycle: { heartbeatLostMs: 1_000, bootTimeoutMs: 1_000 },
    });
    await cluster.queue('alpha').add('job', {});
    await scaler.start();
    // Memory servers never heartbeat: each one hangs at boot and must be destroyed.
    await waitFor('a destroy to exhaust its attempts', async () =>
      log.events('server.hanging').some((l) => String(l.reason).startsWith('destroy failed 10 times')),
    );
    const hung = String(
      log.events('server.hanging').find((l) => String(l.reason).startsWith('destroy failed'))?.serverId,
    );
    await waitFor('the hanging server to be destroyed after all', async () =>
      log.events('server.deleted').some((l) => l.serverId === hung),
    );
    expect(provider.servers.has(`${cluster.prefix}-${hung}`)).toBe(false);
    const destroys = log.events('provider.error').filter((l) => l.operation === 'destroy');
    expect(destroys.slice(0, 10).map((l) => [l.level, l.attempt, l.maxAttempts])).toEqual(
      Array.from({ length: 10 }, (_, i) => [40, i + 1, 10]),
    );
    // Servers that never boot count as failed creates: the pool backs off instead of buying more.
    expect(log.events('circuit.open').length).toBeGreaterThan(0);
    expect(log.events('server.requested').length).toBeLessThanOrEqual(provider.calls.destroy);
  });

  it('the hourly cost cap holds the fleet below what the money allows, and an unknown price allows nothing', async () => {
    const priced = new MemoryProvider({ hourlyPriceUsd: 0.5 });
    const { cluster, log, scaler } = scalerWith('cost', priced, { maxHourlyCostUsd: 1.2 });
    await cluster.queue('alpha').addBulk(Array.from({ length: 400 }, () => ({ name: 'job', data: {} })));
    await scaler.tick();
    await scaler.tick();
    expect(log.events('server.requested')).toHaveLength(2);
    expect(log.events('limit.hit')[0]).toMatchObject({ limit: 'maxHourlyCostUsd', allowed: 2 });

    const unpriced = new MemoryProvider();
    const blind = scalerWith('cost-unknown', unpriced, { maxHourlyCostUsd: 100 });
    await blind.cluster.queue('alpha').add('job', {});
    await blind.scaler.tick();
    expect(blind.log.events('server.requested')).toHaveLength(0);
    expect(blind.log.events('limit.hit')[0]).toMatchObject({ limit: 'maxHourlyCostUsd', allowed: 0 });
  });
});
