import { readFile } from 'node:fs/promises';
import {
  type CreatedServer,
  type CreateOptions,
  creatable,
  ownerTagOf,
  type Provider,
  ProviderError,
  type ProviderServer,
  type ServerSpec,
} from '../provider.ts';
import { type CreateGroup, planCreateGroups } from './batches.ts';
import type { Catalog } from './catalog.ts';
import type { DigitalOceanApi, Droplet } from './client.ts';
import type { Clock } from './clock.ts';
import type { DigitalOceanProviderConfig } from './config.ts';
import { inBackground } from './rate-limiter.ts';
import { type RetryPolicy, withRetry } from './retry.ts';
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
  private template: Promise<string> | undefined;

  constructor(private readonly deps: DropletProviderDeps) {
    this.ownerTag = ownerTagOf(deps.cluster);
    this.createRetry = { ...READ_RETRY, maxAttempts: deps.config.createMaxAttempts };
  }

  async create(specs: ServerSpec[], options?: CreateOptions): Promise<CreatedServer[]> {
    if (specs.length === 0) return [];
    for (const spec of specs) this.checkSpec(spec);
    const template = await this.loadTemplate();
    const groups = planCreateGroups(specs, MAX_BATCH, (spec) => this.bodyOf(spec, template));
    // A caller may repeat a create whose answer it never saw: droplets that exist are adopted.
    const existing = await this.findByName(specs.map((s) => s.name));
    const created: CreatedServer[] = [];
    for (const group of groups) {
      try {
        created.push(...(await this.createGroup(group, existing, options)));
      } catch (error) {
        throw this.withCreated(error, created);
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
    return droplet && this.isOurs(droplet) ? toServer(droplet) : undefined;
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
    await withRetry(READ_RETRY, this.deps.clock, async () => {
      const droplet = await this.deps.api.getDroplet(id);
      if (!droplet || droplet.status === 'archive') return;
      if (!droplet.tags.includes(this.ownerTag)) {
        throw new ProviderError(
          `refusing to destroy droplet ${id} ("${droplet.name}"): it does not carry the ownership tag "${this.ownerTag}"`,
          { retryable: false },
        );
      }
      await this.deps.api.deleteDroplet(id);
    });
  }

  serverHourlyPriceUsd(): Promise<number | undefined> {
    return this.hourlyPrice(this.deps.config.size);
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

  private loadTemplate(): Promise<string> {
    this.template ??= readFile(this.deps.config.userDataFile, 'utf8').catch((error: unknown) => {
      this.template = undefined;
      throw new ProviderError(
        `cannot read provider.userDataFile "${this.deps.config.userDataFile}": ${(error as Error).message}`,
        { retryable: false },
      );
    });
    return this.template;
  }

  private bodyOf(spec: ServerSpec, template: string): { userData: string; tags: string[] } {
    try {
      const userData = renderUserData(template, { env: spec.env, vars: this.deps.config.userDataVars });
      checkUserData(userData, { token: this.deps.token });
      return { userData, tags: [...new Set([...spec.tags, ...this.deps.config.tags])] };
    } catch (error) {
      throw new ProviderError((error as Error).message, { retryable: false });
    }
  }

  private async createGroup(
    group: CreateGroup,
    existingBefore: Droplet[],
    options: CreateOptions | undefined,
  ): Promise<CreatedServer[]> {
    const { config, api, catalog, clock } = this.deps;
    const names = group.specs.map((s) => s.name);
    return withRetry(this.createRetry, clock, async (attempt) => {
      const image = Number((await catalog.snapshot()).id);
      const existing = attempt === 0 ? existingBefore : await this.findByName(names);
      const found = new Set(existing.map((d) => d.name));
      const missing = group.specs.filter((s) => !found.has(s.name));
      // Asked after the lookup: a droplet destroyed since an earlier try is missing here, and
      // only the caller's records can tell whether it is still wanted.
      const toCreate = await creatable(missing, options);
      const fresh =
        toCreate.length === 0
          ? []
          : await api.createDroplets({
              names: toCreate.map((s) => s.name),
              region: config.region,
              size: config.size,
              image,
              sshKeys: config.sshKeys.map(String),
              monitoring: config.monitoring,
              tags: group.tags,
              userData: group.userData,
              ...(config.vpcUuid === undefined ? {} : { vpcUuid: config.vpcUuid }),
            });
      const kept = group.specs.filter((s) => found.has(s.name) || toCreate.includes(s));
      return matchByName(kept, [...existing, ...fresh]);
    });
  }

  private async findByName(names: string[]): Promise<Droplet[]> {
    const wanted = new Set(names);
    return (await this.listOwned()).filter((d) => wanted.has(d.name));
  }

  private listOwned(): Promise<Droplet[]> {
    return withRetry(READ_RETRY, this.deps.clock, async () =>
      (await this.deps.api.listDroplets(this.ownerTag)).filter((d) => this.isOurs(d)),
    );
  }

  private isOurs(droplet: Droplet): boolean {
    return droplet.tags.includes(this.ownerTag) && droplet.status !== 'archive';
  }

  /** The planner must learn about droplets that exist although the call as a whole failed. */
  private withCreated(error: unknown, created: CreatedServer[]): unknown {
    if (!(error instanceof ProviderError) || created.length === 0) return error;
    return new ProviderError(error.message, {
      ...(error.status === undefined ? {} : { status: error.status }),
      retryable: error.retryable,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      created,
      cause: error,
    });
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
    return { serverId: spec.serverId, providerId: String(match.id) };
  });
}
