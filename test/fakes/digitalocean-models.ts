/**
 * Wire-shaped objects for the fake DigitalOcean API, with every field DigitalOcean's OpenAPI
 * document marks required (Prism rejects the fake's answers otherwise).
 */

export interface FakeSize {
  slug: string;
  priceHourly: number;
  regions: string[];
  available: boolean;
}

export interface FakeSnapshot {
  id: number;
  name: string;
  regions: string[];
  createdAt: string;
  /**
   * How the id goes on the wire: a string as DigitalOcean's document says (the default), a number
   * as some stand-ins and proxies send it, or left out.
   */
  idOnWire?: 'string' | 'number' | 'omitted';
}

export interface FakeDroplet {
  id: number;
  name: string;
  tags: string[];
  sizeSlug: string;
  region: string;
  imageId: number;
  createdAtMs: number;
  /** Stays `new` for ever: a droplet that never boots. */
  neverActive: boolean;
}

export const DEFAULT_SIZES: FakeSize[] = [
  { slug: 's-1vcpu-1gb', priceHourly: 0.00893, regions: ['nyc3', 'fra1'], available: true },
  { slug: 's-2vcpu-4gb', priceHourly: 0.03571, regions: ['nyc3', 'fra1'], available: true },
  { slug: 'gpu-h100x1-80gb', priceHourly: 3.39, regions: ['nyc2'], available: true },
];

export const DEFAULT_SNAPSHOTS: FakeSnapshot[] = [
  { id: 1001, name: 'worker-base', regions: ['nyc3', 'fra1'], createdAt: '2026-01-01T00:00:00Z' },
  { id: 1002, name: 'worker-base', regions: ['nyc3', 'fra1'], createdAt: '2026-02-01T00:00:00Z' },
  { id: 1003, name: 'elsewhere', regions: ['sgp1'], createdAt: '2026-02-01T00:00:00Z' },
];

export function sizeJson(size: FakeSize) {
  return {
    slug: size.slug,
    memory: 1024,
    vcpus: 1,
    disk: 25,
    transfer: 1,
    price_monthly: Math.round(size.priceHourly * 672 * 100) / 100,
    price_hourly: size.priceHourly,
    regions: size.regions,
    available: size.available,
    description: 'Basic',
  };
}

export function snapshotJson(snapshot: FakeSnapshot) {
  const ids = { string: { id: String(snapshot.id) }, number: { id: snapshot.id }, omitted: {} };
  return {
    ...ids[snapshot.idOnWire ?? 'string'],
    name: snapshot.name,
    created_at: snapshot.createdAt,
    regions: snapshot.regions,
    min_disk_size: 25,
    size_gigabytes: 2.5,
    resource_id: '9000',
    resource_type: 'droplet',
    tags: [],
  };
}

export function dropletJson(d: FakeDroplet, status: 'new' | 'active', size: FakeSize | undefined) {
  return {
    id: d.id,
    name: d.name,
    memory: 1024,
    vcpus: 1,
    disk: 25,
    locked: false,
    status,
    kernel: null,
    created_at: new Date(d.createdAtMs).toISOString(),
    features: ['monitoring'],
    backup_ids: [],
    next_backup_window: null,
    snapshot_ids: [],
    image: {
      id: d.imageId,
      name: 'worker-base',
      type: 'snapshot',
      distribution: 'Ubuntu',
      slug: null,
      public: false,
      regions: [d.region],
      created_at: '2026-01-01T00:00:00Z',
      min_disk_size: 25,
      size_gigabytes: 2.5,
      status: 'available',
    },
    volume_ids: [],
    size: sizeJson(size ?? { slug: d.sizeSlug, priceHourly: 0.01, regions: [d.region], available: true }),
    size_slug: d.sizeSlug,
    networks: { v4: [], v6: [] },
    region: { name: d.region, slug: d.region, features: ['metadata'], available: true, sizes: [d.sizeSlug] },
    tags: d.tags,
  };
}

/** DigitalOcean's `links.pages` for page `page` of `pages`. */
export function pageLinks(base: string, page: number, pages: number) {
  const at = (n: number) => `${base}${base.includes('?') ? '&' : '?'}page=${n}`;
  if (pages <= 1) return {};
  const forward = page < pages ? { last: at(pages), next: at(page + 1) } : {};
  const backward = page > 1 ? { first: at(1), prev: at(page - 1) } : {};
  return { pages: { ...backward, ...forward } };
}

export function accountJson(dropletLimit: number) {
  return {
    droplet_limit: dropletLimit,
    floating_ip_limit: 3,
    email: 'ops@example.com',
    uuid: 'b6fr89dbf6d9156cace5f3c78dc9851d957381ef',
    email_verified: true,
    status: 'active',
    status_message: '',
  };
}
