import { readFile } from 'node:fs/promises';
import {
  type CreatedServer,
  type CreateOptions,
  creatable,
  ownerTagOf,
  type Provider,
  ProviderError,
  type ProviderLog,
  type ProviderServer,
  type ServerSpec,
  typeOf,
  withCreated,
} from '../provider.ts';
import { type CreateGroup, planCreateGroups } from './batches.ts';
import type { Catalog } from './catalog.ts';
import type { DigitalOceanApi, Droplet } from './client.ts';
import type { Clock } from './clock.ts';
import { type DigitalOceanProviderConfig, type DropletTypeSettings, dropletTypeSettings } from './config.ts';
import { OwnershipProof } from './ownership-proof.ts';
import { imageKey, RegionFallback } from './placement.ts';
import { asTeardown, inBackground } from './rate-limiter.ts';
import { logRetries, type RetryPolicy, withRetry } from './retry.ts';
import { checkUserData, renderUserData } from './user-data.ts';

/** DigitalOcean's `names` field takes at most ten droplets. */
const MAX_BATCH = 10;
const DROPLET_NAME = /^[a-zA-Z0-9]?[a-z0-9A-Z.-]*[a-z0-9A-Z]$/;
/** Reads and deletes are idempotent, so a few tries are cheap; creates use the configured count. */
const READ_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 30_000 };

export interface DropletProviderDeps {
  config: DigitalOceanProviderConfig;
  cluster: string;
  token: string;
  api: DigitalOceanApi;
  catalog: Catalog;
  clock: Clock;
  /** Retried creates and destroys are reported here at warn; nowhere when absent. */
  log?: ProviderLog;
}

/**
 * The Provider over DigitalOcean droplets. Nothing is listed, read, or destroyed unless it
 * carries this cluster's ownership tag, and no droplet is created before checking, by name under
 * that tag, that it does not already exist.
 */
export class DropletProvider implements Provider {
  readonly name = 'digitalocean';
  readonly maxBatch = MAX_BATCH;
  private readonly ownerTag: string;
  private readonly createRetry: RetryPolicy;
  private readonly templates = new Map<string, Promise<string>>();
  private readonly regions: RegionFallback;
  private readonly lastImage = new Map<string, string>();
  private readonly proof: OwnershipProof;

  constructor(private readonly deps: DropletProviderDeps) {
    this.ownerTag = ownerTagOf(deps.cluster);
    this.createRetry = { ...READ_RETRY, maxAttempts: deps.config.createMaxAttempts };
    this.proof = new OwnershipProof(deps.clock);
    this.regions = new RegionFallback(deps.clock, deps.config.regionCoolOffMs);
  }

  async create(specs: ServerSpec[], options?: CreateOptions): Promise<CreatedServer[]> {
    if (specs.length === 0) return [];
    for (const spec of specs) this.checkSpec(spec);
    const types = [...new Set(specs.map(typeOf))];
    const settings = new Map(types.map((type) => [type, this.settingsOf(type)]));
    const templates = new Map(
      await Promise.all(types.map(async (type) => [type, await this.loadTemplate(type)] as const)),
    );
    const groups = planCreateGroups(specs, MAX_BATCH, (spec) =>
      this.bodyOf(spec, templates.get(typeOf(spec)) ?? '', settings.get(typeOf(spec))),
    );
    // A caller may repeat a create whose answer it never saw: droplets that exist are adopted.
    const existing = await this.findByName(specs.map((s) => s.name));
    const created: CreatedServer[] = [];
    for (const group of groups) {
      try {
        created.push(...(await this.createGroup(group, existing, options)));
      } catch (error) {
        throw withCreated(error, created);
      }
    }
    return created;
  }

  /** Bookkeeping (the reconciler's): it spends at most half the API budget, see inBackground. */
  async get(providerId: string): Promise<ProviderServer | undefined> {
    const id = dropletIdOf(providerId);
    const droplet = await inBackground(() =>
      withRetry(READ_RETRY, this.deps.clock, () => this.deps.api.getDroplet(id)),
    );
    if (!droplet || !this.isOurs(droplet)) return undefined;
    this.proof.saw([droplet]);
    return toServer(droplet);
  }

  /** Bookkeeping (the reconciler's): it spends at most half the API budget, see inBackground. */
  async list(ownerTag: string): Promise<ProviderServer[]> {
    if (ownerTag !== this.ownerTag) {
      throw new ProviderError(
        `refusing to list droplets tagged "${ownerTag}": this provider manages only "${this.ownerTag}" (cluster ${this.deps.cluster})`,
        { retryable: false },
      );
    }
    return (await inBackground(() => this.listOwned())).map(toServer);
  }

  async destroy(providerId: string): Promise<void> {
    const id = dropletIdOf(providerId);
    const onRetry = logRetries(this.deps.log, 'destroy', `droplet ${id}`, { providerId });
    // Its ownership check too: a destroy must not wait behind creates or bookkeeping.
    await asTeardown(() =>
      withRetry(
        READ_RETRY,
        this.deps.clock,
        async () => {
          if (!this.proof.isFresh(id)) {
            const droplet = await this.deps.api.getDroplet(id);
            if (!droplet || droplet.status === 'archive') return;
            if (!droplet.tags.includes(this.ownerTag)) {
              throw new ProviderError(
                `refusing to destroy droplet ${id} ("${droplet.name}"): it does not carry the ownership tag "${this.ownerTag}"`,
                { retryable: false },
              );
            }
          }
          await this.deps.api.deleteDroplet(id);
          this.proof.forget(id);
        },
        onRetry,
      ),
    );
  }

  serverHourlyPriceUsd(type: string): Promise<number | undefined> {
    return this.hourlyPrice(this.settingsOf(type).size);
  }

  /**
   * The type's snapshot id, size and user_data template, as one fingerprint: what a droplet
   * created now would run. The snapshot is looked up again every imageCheckMs, as bookkeeping (it
   * never waits for the API budget); when it cannot be looked up, the last known answer stands.
   */
  async currentImage(type: string): Promise<string | undefined> {
    try {
      const settings = this.settingsOf(type);
      const snapshot = await inBackground(() => this.deps.catalog.snapshot(settings.snapshot));
      const image = imageKey(settings, snapshot.id, await this.loadTemplate(type));
      this.lastImage.set(type, image);
      return image;
    } catch {
      return this.lastImage.get(type);
    }
  }

  hourlyPrice(size: string): Promise<number | undefined> {
    return this.deps.catalog.hourlyPrice(size);
  }

  /** Nothing to release: no timers run between calls and fetch pools its own sockets. */
  async close(): Promise<void> {}

  private checkSpec(spec: ServerSpec): void {
    if (spec.tags[0] !== this.ownerTag) {
      throw new ProviderError(
        `server ${spec.serverId}: its first tag must be the ownership tag "${this.ownerTag}", got "${spec.tags[0] ?? ''}"`,
        { retryable: false },
      );
    }
    if (!DROPLET_NAME.test(spec.name) || spec.name.length > 255) {
      throw new ProviderError(
        `server ${spec.serverId}: "${spec.name}" is not a valid droplet name (letters, digits, dots, dashes)`,
        { retryable: false },
      );
    }
  }

  private settingsOf(type: string): DropletTypeSettings {
    try {
      return dropletTypeSettings(this.deps.config, type);
    } catch (error) {
      throw new ProviderError((error as Error).message, { retryable: false });
    }
  }

  private loadTemplate(type: string): Promise<string> {
    const file = this.settingsOf(type).userDataFile;
    const loaded =
      this.templates.get(file) ??
      readFile(file, 'utf8').catch((error: unknown) => {
        this.templates.delete(file);
        throw new ProviderError(
          `cannot read userDataFile "${file}" (server type ${type}): ${(error as Error).message}`,
          {
            retryable: false,
          },
        );
      });
    this.templates.set(file, loaded);
    return loaded;
  }

  private bodyOf(
    spec: ServerSpec,
    template: string,
    settings: DropletTypeSettings | undefined,
  ): { userData: string; tags: string[] } {
    try {
      const vars = settings?.userDataVars ?? this.deps.config.userDataVars;
      const userData = renderUserData(template, { env: spec.env, vars });
      checkUserData(userData, { token: this.deps.token });
      return { userData, tags: [...new Set([...spec.tags, ...(settings?.tags ?? this.deps.config.tags)])] };
    } catch (error) {
      throw new ProviderError((error as Error).message, { retryable: false });
    }
  }

  private async createGroup(
    group: CreateGroup,
    existingBefore: Droplet[],
    options: CreateOptions | undefined,
  ): Promise<CreatedServer[]> {
    const { catalog, clock } = this.deps;
    const settings = this.settingsOf(group.type);
    const names = group.specs.map((s) => s.name);
    const onRetry = logRetries(this.deps.log, 'create', `${names.length} droplet(s)`, { names });
    return withRetry(
      this.createRetry,
      clock,
      async (attempt) => {
        const snapshot = await catalog.snapshot(settings.snapshot);
        const existing = attempt === 0 ? existingBefore : await this.findByName(names);
        const found = new Set(existing.map((d) => d.name));
        const missing = group.specs.filter((s) => !found.has(s.name));
        // Asked after the lookup: a droplet destroyed since an earlier try is missing here, and
        // only the caller's records can tell whether it is still wanted.
        const toCreate = await creatable(missing, options);
        const placed =
          toCreate.length === 0
            ? { droplets: [] }
            : await this.regions.create(
                settings,
                {
                  names: toCreate.map((s) => s.name),
                  size: settings.size,
                  image: Number(snapshot.id),
                  sshKeys: settings.sshKeys.map(String),
                  monitoring: settings.monitoring,
                  tags: group.tags,
                  userData: group.userData,
                  ...(settings.vpcUuid === undefined ? {} : { vpcUuid: settings.vpcUuid }),
                },
                (body) => this.deps.api.createDroplets(body),
              );
        this.proof.saw(placed.droplets.filter((d) => this.isOurs(d)));
        const kept = group.specs.filter((s) => found.has(s.name) || toCreate.includes(s));
        const image = imageKey(settings, snapshot.id, await this.loadTemplate(group.type));
        return matchByName(kept, [...existing, ...placed.droplets]).map((c) => ({ ...c, image }));
      },
      onRetry,
    );
  }

  private async findByName(names: string[]): Promise<Droplet[]> {
    const wanted = new Set(names);
    return (await this.listOwned()).filter((d) => wanted.has(d.name));
  }

  private listOwned(): Promise<Droplet[]> {
    return withRetry(READ_RETRY, this.deps.clock, async () => {
      const owned = (await this.deps.api.listDroplets(this.ownerTag)).filter((d) => this.isOurs(d));
      this.proof.saw(owned);
      return owned;
    });
  }

  private isOurs(droplet: Droplet): boolean {
    return droplet.tags.includes(this.ownerTag) && droplet.status !== 'archive';
  }
}

function dropletIdOf(providerId: string): number {
  const id = Number(providerId);
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new ProviderError(`"${providerId}" is not a DigitalOcean droplet id (a positive integer)`, {
      retryable: false,
    });
  }
  return id;
}

function toServer(droplet: Droplet): ProviderServer {
  return {
    providerId: String(droplet.id),
    name: droplet.name,
    tags: droplet.tags,
    status: droplet.status === 'archive' ? 'gone' : droplet.status,
    createdAtMs: droplet.createdAtMs,
    region: droplet.region,
  };
}

/** The reply lists droplets by name; the newest wins if an earlier try left a twin. */
function matchByName(specs: ServerSpec[], droplets: Droplet[]): CreatedServer[] {
  return specs.map((spec) => {
    const match = droplets
      .filter((d) => d.name === spec.name)
      .sort((a, b) => b.createdAtMs - a.createdAtMs)[0];
    if (!match) {
      throw new ProviderError(
        `DigitalOcean accepted the create of "${spec.name}" but returned no such droplet`,
        {
          retryable: false,
        },
      );
    }
    return { serverId: spec.serverId, providerId: String(match.id), region: match.region };
  });
}
