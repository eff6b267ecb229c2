import { createHash } from 'node:crypto';
import { ProviderError } from '../provider.ts';
import type { CreateDropletsBody, Droplet } from './client.ts';
import type { Clock } from './clock.ts';
import type { DropletTypeSettings } from './config.ts';

/**
 * DigitalOcean's 422 answers when a region has no room for a size (or takes no new droplets):
 * "Region is not available", "Size is not available in this region", "size is unavailable".
 */
const CAPACITY_REFUSAL =
  /region is not available|size is (not available|unavailable)|not available in (this|the selected) region/i;

export function isCapacityRefusal(error: unknown): boolean {
  return error instanceof ProviderError && error.status === 422 && CAPACITY_REFUSAL.test(error.message);
}

/**
 * Where a type's droplets go: its regions in order of preference. A region that refuses the size
 * for lack of capacity is skipped for that size for regionCoolOffMs and the next one is tried at
 * once: nothing was created, so nothing can be bought twice, and the pool's create backoff is not
 * involved.
 */
export class RegionFallback {
  /** Region and size pairs that refused for lack of capacity, until when they are skipped. */
  private readonly coolingUntilMs = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly coolOffMs: number,
  ) {}

  async create(
    settings: DropletTypeSettings,
    body: Omit<CreateDropletsBody, 'region'>,
    createIn: (body: CreateDropletsBody) => Promise<Droplet[]>,
  ): Promise<{ droplets: Droplet[]; region: string }> {
    const now = this.clock.now();
    const key = (region: string) => `${region}/${settings.size}`;
    const refused: string[] = [];
    for (const region of settings.regions.filter((r) => (this.coolingUntilMs.get(key(r)) ?? 0) <= now)) {
      try {
        return { droplets: await createIn({ ...body, region }), region };
      } catch (error) {
        if (!isCapacityRefusal(error)) throw error;
        this.coolingUntilMs.set(key(region), now + this.coolOffMs);
        refused.push(region);
      }
    }
    const until = Math.min(...settings.regions.map((r) => this.coolingUntilMs.get(key(r)) ?? now));
    throw new ProviderError(
      `no region has room for size ${settings.size} (server type ${settings.type}): ` +
        `${refused.length > 0 ? `refused now in ${refused.join(', ')}; ` : ''}every region of the type is cooling off — ` +
        "add a region to the type's regions or pick another size",
      { status: 422, retryable: true, retryAfterMs: Math.max(1_000, until - now) },
    );
  }
}

/** What a droplet of the type created now runs: snapshot id, size and user_data template. */
export function imageKey(settings: DropletTypeSettings, snapshotId: string, template: string): string {
  const script = createHash('sha256')
    .update(template)
    .update(JSON.stringify(settings.userDataVars))
    .digest('hex')
    .slice(0, 12);
  return `snapshot ${snapshotId}, ${settings.size}, user_data ${script}`;
}
