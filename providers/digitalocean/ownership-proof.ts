import type { Droplet } from './client.ts';
import type { Clock } from './clock.ts';

/** How long DigitalOcean's word that a droplet carries our tag stands in for reading it again. */
const PROOF_MAX_AGE_MS = 60_000;

/**
 * Droplets DigitalOcean reported carrying our ownership tag in the last minute (a list by that
 * tag, a read, a create reply). A destroy of one of them skips its own ownership read: under a
 * tight API limit that read doubled the price of every scale-down. The proof is short-lived, so
 * a tag removed by hand is honoured within a minute; any other droplet is read before deleting.
 */
export class OwnershipProof {
  private readonly seenAtMs = new Map<number, number>();

  constructor(private readonly clock: Clock) {}

  /** `droplets` were just reported carrying our tag. */
  saw(droplets: Droplet[]): void {
    const now = this.clock.now();
    for (const [id, at] of this.seenAtMs) if (now - at > PROOF_MAX_AGE_MS) this.seenAtMs.delete(id);
    for (const droplet of droplets) this.seenAtMs.set(droplet.id, now);
  }

  isFresh(id: number): boolean {
    const at = this.seenAtMs.get(id);
    return at !== undefined && this.clock.now() - at <= PROOF_MAX_AGE_MS;
  }

  forget(id: number): void {
    this.seenAtMs.delete(id);
  }
}
