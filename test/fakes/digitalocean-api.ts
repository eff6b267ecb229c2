import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  accountJson,
  DEFAULT_SIZES,
  DEFAULT_SNAPSHOTS,
  dropletJson,
  type FakeDroplet,
  type FakeSize,
  type FakeSnapshot,
  pageLinks,
  sizeJson,
  snapshotJson,
} from './digitalocean-models.ts';
import { FakeRateLimits } from './digitalocean-rate-limit.ts';
import { parse, readBody } from './request-body.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

/** A scripted failure for the next `times` requests matching `method` and `path`. */
export interface Fault {
  method: string;
  path: string | RegExp;
  status?: number;
  retryAfterSeconds?: number;
  /** Do the work first, then fail: a 504 after the droplet was created. */
  afterWork?: boolean;
  /** Answer this late (after the work, if afterWork): lets a client time out. */
  delayMs?: number;
  /** DigitalOcean's error message in the JSON body; "scripted <status>" when absent. */
  message?: string;
  /** Send an HTML body, as a proxy in front of the API would. */
  html?: boolean;
  times?: number;
}

export interface FakeDigitalOceanOptions {
  token?: string;
  dropletLimit?: number;
  /** A created droplet turns `active` this long after creation. */
  activeAfterMs?: number;
  sizes?: FakeSize[];
  snapshots?: FakeSnapshot[];
  /** Droplets with these names stay `new` for ever. */
  neverActive?: (name: string) => boolean;
  /** DigitalOcean's burst limit (250 there); unlimited when absent. See FakeRateLimits. */
  requestsPerMinute?: number;
}

interface Answer {
  status: number;
  body?: unknown;
}

const notFound: Answer = {
  status: 404,
  body: { id: 'not_found', message: 'The resource you were accessing could not be found.' },
};

/**
 * A stateful stand-in for the DigitalOcean API on 127.0.0.1 (random port). It keeps droplets,
 * records every request, and fails on script. Its answers follow DigitalOcean's OpenAPI document.
 */
export class FakeDigitalOcean {
  readonly requests: RecordedRequest[] = [];
  readonly droplets = new Map<number, FakeDroplet>();
  /** Droplets destroyed, with when: server time is measured from these and the live ones. */
  readonly destroyed: { droplet: FakeDroplet; atMs: number }[] = [];
  /** Requests answered 429 by the per-minute limit (scripted faults are not counted here). */
  readonly rateLimited: RecordedRequest[] = [];
  private readonly faults: Fault[] = [];
  private readonly limits: FakeRateLimits;
  private readonly server: Server;
  private nextId = 500_000;
  url = '';

  constructor(private readonly options: FakeDigitalOceanOptions = {}) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.limits = new FakeRateLimits(options.requestsPerMinute);
  }

  get token(): string {
    return this.options.token ?? 'fake-do-token';
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  inject(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** A droplet put there by someone else (no ownership tag, unless given). */
  seed(name: string, tags: string[] = []): FakeDroplet {
    return this.addDroplet(name, tags, { size: 's-1vcpu-1gb', region: 'nyc3', image: 1001 });
  }

  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && matches(path, r.path));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    const request = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body: parse(raw),
    };
    this.requests.push(request);
    const fault = this.takeFault(request);
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return this.send(res, {
        status: 401,
        body: { id: 'Unauthorized', message: 'Unable to authenticate you' },
      });
    }
    const limited = this.limits.take(Date.now());
    if (limited) {
      this.rateLimited.push(request);
      const body = { id: 'too_many_requests', message: 'API Rate limit exceeded.' };
      return this.send(res, { status: 429, body }, limited);
    }
    if (fault && !fault.afterWork) return this.fail(res, fault);
    const answer = this.route(request);
    if (fault) return this.fail(res, fault);
    this.send(res, answer);
  }

  private takeFault(request: RecordedRequest): Fault | undefined {
    const fault = this.faults.find((f) => f.method === request.method && matches(f.path, request.path));
    if (!fault) return undefined;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault;
  }

  private async fail(res: ServerResponse, fault: Fault): Promise<void> {
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    const status = fault.status ?? 500;
    const headers: Record<string, string> =
      fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
    if (fault.html) {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'text/html', ...headers });
      res.end('<html><body>Bad gateway</body></html>');
      return;
    }
    const ids: Record<number, string> = { 422: 'unprocessable_entity', 429: 'too_many_requests' };
    const body = { id: ids[status] ?? 'server_error', message: fault.message ?? `scripted ${status}` };
    this.send(res, { status, body }, headers);
  }

  private send(res: ServerResponse, answer: Answer, extra: Record<string, string> = {}): void {
    if (res.destroyed) return;
    const headers = { ...this.limits.hourly(Date.now()), ...extra };
    if (answer.body === undefined) {
      res.writeHead(answer.status, headers).end();
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(answer.body));
  }

  private route(r: RecordedRequest): Answer {
    const id = Number(/^\/v2\/(?:droplets|snapshots)\/(\d+)$/.exec(r.path)?.[1]);
    if (r.path === '/v2/account' && r.method === 'GET') return this.account();
    if (r.path === '/v2/droplets' && r.method === 'GET') return this.listDroplets(r);
    if (r.path === '/v2/droplets' && r.method === 'POST') return this.createDroplets(r.body);
    if (r.path.startsWith('/v2/droplets/') && r.method === 'GET') return this.getDroplet(id);
    if (r.path.startsWith('/v2/droplets/') && r.method === 'DELETE') return this.deleteDroplet(id);
    if (r.path === '/v2/snapshots' && r.method === 'GET') return this.listSnapshots(r);
    if (r.path.startsWith('/v2/snapshots/') && r.method === 'GET') return this.getSnapshot(id);
    if (r.path === '/v2/sizes' && r.method === 'GET') return this.page(r, 'sizes', this.sizes.map(sizeJson));
    return notFound;
  }

  private get sizes(): FakeSize[] {
    return this.options.sizes ?? DEFAULT_SIZES;
  }

  private get snapshots(): FakeSnapshot[] {
    return this.options.snapshots ?? DEFAULT_SNAPSHOTS;
  }

  private account(): Answer {
    return { status: 200, body: { account: accountJson(this.options.dropletLimit ?? 25) } };
  }

  private json(d: FakeDroplet) {
    const booted = Date.now() - d.createdAtMs >= (this.options.activeAfterMs ?? 20) && !d.neverActive;
    return dropletJson(
      d,
      booted ? 'active' : 'new',
      this.sizes.find((s) => s.slug === d.sizeSlug),
    );
  }

  private page(r: RecordedRequest, key: string, all: unknown[]): Answer {
    const perPage = Number(r.query.get('per_page') ?? 20);
    const page = Number(r.query.get('page') ?? 1);
    const items = all.slice((page - 1) * perPage, page * perPage);
    const pages = Math.max(1, Math.ceil(all.length / perPage));
    const links = pageLinks(`https://api.digitalocean.com${r.path}?per_page=${perPage}`, page, pages);
    return { status: 200, body: { [key]: items, links, meta: { total: all.length } } };
  }

  private listDroplets(r: RecordedRequest): Answer {
    const tag = r.query.get('tag_name');
    const name = r.query.get('name');
    const chosen = [...this.droplets.values()].filter(
      (d) => (tag === null || d.tags.includes(tag)) && (name === null || d.name === name),
    );
    return this.page(
      r,
      'droplets',
      chosen.map((d) => this.json(d)),
    );
  }

  private listSnapshots(r: RecordedRequest): Answer {
    return this.page(r, 'snapshots', this.snapshots.map(snapshotJson));
  }

  private getSnapshot(id: number): Answer {
    const snapshot = this.snapshots.find((s) => s.id === id);
    return snapshot ? { status: 200, body: { snapshot: snapshotJson(snapshot) } } : notFound;
  }

  private getDroplet(id: number): Answer {
    const droplet = this.droplets.get(id);
    return droplet ? { status: 200, body: { droplet: this.json(droplet) } } : notFound;
  }

  private deleteDroplet(id: number): Answer {
    const droplet = this.droplets.get(id);
    if (!droplet) return notFound;
    this.droplets.delete(id);
    this.destroyed.push({ droplet, atMs: Date.now() });
    return { status: 204 };
  }

  private createDroplets(body: unknown): Answer {
    const b = (body ?? {}) as Record<string, unknown>;
    const names = Array.isArray(b.names) ? (b.names as string[]) : [String(b.name)];
    const refusal = this.refuseCreate(b, names.length);
    if (refusal) return { status: 422, body: { id: 'unprocessable_entity', message: refusal } };
    const spec = { size: String(b.size), region: String(b.region), image: Number(b.image) };
    const tags = Array.isArray(b.tags) ? (b.tags as string[]) : [];
    const created = names.map((name) => this.json(this.addDroplet(name, tags, spec)));
    const actions = created.map((d, i) => ({
      id: 7_000_000 + d.id + i,
      rel: 'create',
      href: `https://api.digitalocean.com/v2/actions/${7_000_000 + d.id}`,
    }));
    const body202 = Array.isArray(b.names) ? { droplets: created } : { droplet: created[0] };
    return { status: 202, body: { ...body202, links: { actions } } };
  }

  private refuseCreate(b: Record<string, unknown>, count: number): string | undefined {
    if (!this.snapshots.some((s) => s.id === Number(b.image))) return `image ${String(b.image)} not found`;
    const size = this.sizes.find((s) => s.slug === b.size);
    if (!size?.regions.includes(String(b.region))) return 'Size is not available in this region.';
    const limit = this.options.dropletLimit ?? 25;
    if (this.droplets.size + count > limit) {
      return `creating this/these droplet(s) will exceed your droplet limit (${limit})`;
    }
    return undefined;
  }

  private addDroplet(name: string, tags: string[], spec: { size: string; region: string; image: number }) {
    const droplet: FakeDroplet = {
      id: this.nextId++,
      name,
      tags,
      sizeSlug: spec.size,
      region: spec.region,
      imageId: spec.image,
      createdAtMs: Date.now(),
      neverActive: this.options.neverActive?.(name) ?? false,
    };
    this.droplets.set(droplet.id, droplet);
    return droplet;
  }
}

function matches(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === 'string' ? pattern === path : pattern.test(path);
}
