import { ProviderError, type RequestWindows } from '../provider.ts';
import type { Clock } from './clock.ts';
import type { DigitalOceanProviderConfig, ResolvedSettings } from './config.ts';
import type { DotsClient, DotsCreateBody, DotsDroplet, DotsSdk, DotsSnapshot } from './dots-types.ts';
import { toProviderError } from './errors.ts';
import { type FetchLike, limitedFetch } from './http.ts';
import { RateLimiter } from './rate-limiter.ts';

/** The few droplet facts the provider needs, free of dots' types. */
export interface Droplet {
  id: number;
  name: string;
  tags: string[];
  status: 'new' | 'active' | 'off' | 'archive';
  createdAtMs: number;
  /** The region slug it was placed in. */
  region: string | undefined;
}

export interface Snapshot {
  id: string;
  name: string;
  regions: string[];
  createdAtMs: number;
}

export interface SizeInfo {
  slug: string;
  priceHourly: number;
  regions: string[];
  available: boolean;
}

export type CreateDropletsBody = DotsCreateBody;

/** The DigitalOcean calls we make. Every failure is a ProviderError; lists cover all pages. */
export interface DigitalOceanApi {
  createDroplets(body: CreateDropletsBody): Promise<Droplet[]>;
  listDroplets(tagName: string): Promise<Droplet[]>;
  /** All droplets of the account, ours or not: only their number is ever read. */
  countDroplets(): Promise<number>;
  /** undefined when DigitalOcean answers 404. */
  getDroplet(id: number): Promise<Droplet | undefined>;
  /** Succeeds when DigitalOcean answers 404: the droplet is already gone. */
  deleteDroplet(id: number): Promise<void>;
  getSnapshot(id: number): Promise<Snapshot | undefined>;
  listSnapshots(): Promise<Snapshot[]>;
  listSizes(): Promise<SizeInfo[]>;
  getDropletLimit(): Promise<number>;
}

export interface ApiOptions {
  token: string;
  apiUrl: string;
  requestTimeoutMs: number;
  limiter: RateLimiter;
  clock: Clock;
}

const PER_PAGE = 200;
/**
 * A variable, not a literal, so the compiler does not follow it into dots' sources (see
 * dots-sdk.js). In dist/ this is one bundled file that carries its own Kiota.
 */
const DOTS_SDK = './dots-sdk.js';

/** Imported on first use only: loading the SDK costs time and memory that only DigitalOcean users should pay. */
async function loadClient(options: ApiOptions, fetchImpl: FetchLike): Promise<DotsClient> {
  const sdk = (await import(DOTS_SDK)) as DotsSdk;
  return sdk.createDotsClient({
    token: options.token,
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    fetch: fetchImpl,
  });
}

function toDroplet(d: DotsDroplet): Droplet {
  return {
    id: d.id ?? 0,
    name: d.name ?? '',
    tags: d.tags ?? [],
    status: d.status ?? 'new',
    createdAtMs: d.createdAt?.getTime() ?? 0,
    region: d.region?.slug ?? undefined,
  };
}

function toSnapshot(s: DotsSnapshot): Snapshot {
  return {
    // A missing id stays empty, for resolveSnapshot to refuse by name.
    id: s.id === undefined || s.id === null ? '' : String(s.id),
    name: s.name ?? '',
    regions: s.regions ?? [],
    createdAtMs: s.createdAt?.getTime() ?? 0,
  };
}

function isNotFound(error: unknown): boolean {
  return error instanceof ProviderError && error.status === 404;
}

/** Fetches pages until DigitalOcean's `meta.total` is reached or a page comes back empty. */
async function allPages<T>(page: (n: number) => Promise<{ items: T[]; total: number }>): Promise<T[]> {
  const items: T[] = [];
  for (let n = 1; ; n++) {
    const result = await page(n);
    items.push(...result.items);
    if (result.items.length === 0 || items.length >= result.total) return items;
  }
}

export function connectDigitalOcean(options: ApiOptions): DigitalOceanApi {
  const fetchImpl = limitedFetch(options.limiter, options.requestTimeoutMs, () => options.clock.now());
  const loading = loadClient(options, fetchImpl);
  // A failed import surfaces on the first call; until then it must not count as unhandled.
  loading.catch(() => undefined);

  async function call<T>(operation: string, run: (client: DotsClient) => Promise<T>): Promise<T> {
    try {
      return await run(await loading);
    } catch (error) {
      throw toProviderError(error, operation, options.clock.now());
    }
  }

  async function orUndefinedIfMissing<T>(work: Promise<T>): Promise<T | undefined> {
    try {
      return await work;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  return {
    createDroplets: (body) =>
      call('create droplets', async (c) => ((await c.v2.droplets.post(body))?.droplets ?? []).map(toDroplet)),
    listDroplets: (tagName) =>
      allPages((page) =>
        call('list droplets', async (c) => {
          const reply = await c.v2.droplets.get({ queryParameters: { tagName, perPage: PER_PAGE, page } });
          return { items: (reply?.droplets ?? []).map(toDroplet), total: reply?.meta?.total ?? 0 };
        }),
      ),
    countDroplets: () =>
      call('count droplets', async (c) => {
        const reply = await c.v2.droplets.get({ queryParameters: { perPage: 1, page: 1 } });
        return reply?.meta?.total ?? 0;
      }),
    getDroplet: (id) =>
      orUndefinedIfMissing(
        call(`get droplet ${id}`, async (c) => {
          const droplet = (await c.v2.droplets.byDroplet_id(id).get())?.droplet;
          return droplet ? toDroplet(droplet) : undefined;
        }),
      ),
    deleteDroplet: async (id) => {
      await orUndefinedIfMissing(
        call(`delete droplet ${id}`, (c) => c.v2.droplets.byDroplet_id(id).delete()),
      );
    },
    getSnapshot: (id) =>
      orUndefinedIfMissing(
        call(`get snapshot ${id}`, async (c) => {
          const snapshot = (await c.v2.snapshots.bySnapshot_id(id).get())?.snapshot;
          return snapshot ? toSnapshot(snapshot) : undefined;
        }),
      ),
    listSnapshots: () =>
      allPages((page) =>
        call('list snapshots', async (c) => {
          const reply = await c.v2.snapshots.get({
            queryParameters: { resourceType: 'droplet', perPage: PER_PAGE, page },
          });
          return { items: (reply?.snapshots ?? []).map(toSnapshot), total: reply?.meta?.total ?? 0 };
        }),
      ),
    listSizes: () =>
      allPages((page) =>
        call('list sizes', async (c) => {
          const reply = await c.v2.sizes.get({ queryParameters: { perPage: PER_PAGE, page } });
          const items = (reply?.sizes ?? []).map((s) => ({
            slug: s.slug ?? '',
            priceHourly: s.priceHourly ?? Number.NaN,
            regions: s.regions ?? [],
            available: s.available ?? false,
          }));
          return { items, total: reply?.meta?.total ?? 0 };
        }),
      ),
    getDropletLimit: () =>
      call('read account', async (c) => (await c.v2.account.get())?.account?.dropletLimit ?? 0),
  };
}

/** One API budget per provider (or doctor run), sized from the config, counted in `windows`. */
export function connectFromConfig(
  config: DigitalOceanProviderConfig,
  settings: ResolvedSettings,
  clock: Clock,
  windows?: RequestWindows,
): DigitalOceanApi {
  const limiter = new RateLimiter({
    requestsPerMinute: config.requestsPerMinute,
    requestsPerHour: config.requestsPerHour,
    clock,
    ...(windows === undefined ? {} : { windows }),
  });
  return connectDigitalOcean({ ...settings, requestTimeoutMs: config.requestTimeoutMs, limiter, clock });
}
