import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderServer } from '../../providers/provider.ts';
import { Autoscaler } from '../../src/index.ts';
import { MemoryProvider } from '../fakes/memory-provider.ts';
import { waitFor } from '../helpers/redis.ts';
import { fleetFixture } from './http-fixture.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A provider whose list outlasts the lease: each tick that reconciles takes that long. */
class SlowListProvider extends MemoryProvider {
  constructor(private readonly listMs: number) {
    super();
  }

  override async list(ownerTag: string): Promise<ProviderServer[]> {
    await new Promise((resolve) => setTimeout(resolve, this.listMs));
    return super.list(ownerTag);
  }
}

describe('the leader lease', () => {
  it('is renewed on its own timer: a tick longer than the lease leaves one leader, not two', async () => {
    const leaseTtlMs = 1_000;
    const fx = fleetFixture('lease', { lifecycle: { leaseTtlMs, reconcileEveryTicks: 1 } });
    cleanups.push(fx.cleanup);
    const a = new Autoscaler(fx.config, { provider: new SlowListProvider(3 * leaseTtlMs) });
    const b = new Autoscaler(fx.config, { provider: new SlowListProvider(3 * leaseTtlMs) });
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    await a.start();
    await waitFor('a leads', async () => a.isLeader());
    await b.start();

    // Every tick of a spends 3 s listing: long enough for its lease to lapse three times over.
    let both = 0;
    for (const deadline = Date.now() + 8_000; Date.now() < deadline; ) {
      if (a.isLeader() && b.isLeader()) both++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(both).toBe(0);
    expect(a.isLeader()).toBe(true);
  });
});
