import { ProviderError } from '../provider.ts';
import type { DigitalOceanApi, SizeInfo, Snapshot } from './client.ts';

/** A value fetched once and shared; a failure is forgotten so the next caller tries again. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/**
 * Lookups that rarely change, cached for the provider's life: the snapshot (a name resolves to
 * an id once) and the size list with prices.
 */
export class Catalog {
  readonly snapshot: () => Promise<Snapshot>;
  readonly sizes: () => Promise<SizeInfo[]>;

  constructor(api: DigitalOceanApi, snapshotRef: number | string) {
    this.snapshot = once(() => resolveSnapshot(api, snapshotRef));
    this.sizes = once(() => api.listSizes());
  }

  /** USD per hour for the size slug; undefined when DigitalOcean does not list it. */
  async hourlyPrice(size: string): Promise<number | undefined> {
    const found = (await this.sizes()).find((s) => s.slug === size);
    return found && Number.isFinite(found.priceHourly) ? found.priceHourly : undefined;
  }
}

function snapshotMissing(snapshotRef: number | string, detail: string): ProviderError {
  return new ProviderError(
    `provider.snapshot ${JSON.stringify(snapshotRef)} ${detail}: check the id or name in the control panel (Images → Snapshots)`,
    { status: 404, retryable: false },
  );
}

/** A number (or digits) is an id; anything else is a name, and the newest snapshot of that name wins. */
export async function resolveSnapshot(api: DigitalOceanApi, snapshotRef: number | string): Promise<Snapshot> {
  const id =
    typeof snapshotRef === 'number'
      ? snapshotRef
      : /^\d+$/.test(snapshotRef)
        ? Number(snapshotRef)
        : undefined;
  if (id !== undefined) {
    const snapshot = await api.getSnapshot(id);
    if (!snapshot) throw snapshotMissing(snapshotRef, 'does not exist');
    return snapshot;
  }
  const named = (await api.listSnapshots()).filter((s) => s.name === snapshotRef);
  const newest = named.sort((a, b) => b.createdAtMs - a.createdAtMs)[0];
  if (!newest) throw snapshotMissing(snapshotRef, 'matches no droplet snapshot');
  return newest;
}
