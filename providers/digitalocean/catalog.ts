import { ProviderError } from '../provider.ts';
import type { DigitalOceanApi, SizeInfo, Snapshot } from './client.ts';
import type { Clock } from './clock.ts';

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

interface CachedSnapshot {
  atMs: number;
  pending: Promise<Snapshot>;
  /** The last snapshot resolved, kept while a refresh is under way or failed. */
  known: Snapshot | undefined;
}

/**
 * Lookups that rarely change: the size list with prices (for the provider's life) and each
 * server type's snapshot, looked up again every `imageCheckMs` so that a new snapshot baked under
 * the same name is noticed without a restart (and starts a rollout).
 */
export class Catalog {
  readonly sizes: () => Promise<SizeInfo[]>;
  private readonly snapshots = new Map<string, CachedSnapshot>();

  constructor(
    private readonly api: DigitalOceanApi,
    private readonly clock: Clock,
    private readonly imageCheckMs: number,
  ) {
    this.sizes = once(() => api.listSizes());
  }

  /** The snapshot a type boots from: by id, or the newest of its name as of the last check. */
  snapshot(ref: number | string): Promise<Snapshot> {
    const key = String(ref);
    const cached = this.snapshots.get(key);
    const now = this.clock.now();
    if (cached && now - cached.atMs < this.imageCheckMs) return cached.pending;
    const known = cached?.known;
    const pending = resolveSnapshot(this.api, ref).then(
      (snapshot) => {
        this.snapshots.set(key, { atMs: now, pending: Promise.resolve(snapshot), known: snapshot });
        return snapshot;
      },
      (error: unknown) => {
        // A failed re-check keeps the known snapshot (creates go on); a first lookup fails loudly.
        if (known !== undefined) return known;
        this.snapshots.delete(key);
        throw error;
      },
    );
    this.snapshots.set(key, { atMs: now, pending, known });
    return pending;
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
    // Found by the id we asked for: that id is the one to boot from, whatever the answer says.
    return { ...snapshot, id: String(id) };
  }
  const named = (await api.listSnapshots()).filter((s) => s.name === snapshotRef);
  const newest = named.sort((a, b) => b.createdAtMs - a.createdAtMs)[0];
  if (!newest) throw snapshotMissing(snapshotRef, 'matches no droplet snapshot');
  if (!/^\d+$/.test(newest.id)) {
    // Booting from it would send an empty image and fail every create with "invalid image".
    throw new ProviderError(
      `provider.snapshot "${snapshotRef}": DigitalOcean listed it without a usable id (got ${JSON.stringify(newest.id)}): ` +
        'set provider.snapshot to its numeric id (Images → Snapshots, or `doctl compute snapshot list`)',
      { retryable: false },
    );
  }
  return newest;
}
