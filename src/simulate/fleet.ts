import type { ServerView } from '../core/types.ts';

export interface SimServer {
  id: string;
  createdAtMs: number;
  state: 'booting' | 'ready' | 'draining' | 'deleted';
  active: number;
  deletedAtMs: number | undefined;
}

/** The free-slot list shrinks from the front; the used prefix is dropped once it dominates. */
const compactAfter = 1_024;

/** How the provider bills a server's life. */
export interface Billing {
  /** DigitalOcean bills droplets per second with a 60 s minimum; some clouds bill started hours. */
  unit: 'second' | 'hour';
  pricePerHour: number;
}

/** The simulated servers of one pool: boots, free slots, drains, and what they cost. */
export class Fleet {
  readonly servers: SimServer[] = [];
  readonly #live = new Set<SimServer>();
  #ready = 0;
  readonly #slotsPerServer: number;
  /** One entry per free slot, longest idle first, as workers blocked on Redis get jobs in turn. */
  #freeSlots: SimServer[] = [];
  #freeHead = 0;
  creates = 0;
  deletes = 0;
  peak = 0;

  constructor(slotsPerServer: number) {
    this.#slotsPerServer = slotsPerServer;
  }

  create(nowMs: number): SimServer {
    const server: SimServer = {
      id: `s${this.creates}`,
      createdAtMs: nowMs,
      state: 'booting',
      active: 0,
      deletedAtMs: undefined,
    };
    this.creates += 1;
    this.servers.push(server);
    this.#live.add(server);
    this.peak = Math.max(this.peak, this.#live.size);
    return server;
  }

  markReady(server: SimServer): void {
    if (server.state !== 'booting') return;
    server.state = 'ready';
    this.#ready += 1;
    for (let i = 0; i < this.#slotsPerServer; i += 1) this.#freeSlots.push(server);
  }

  /** Draining servers take no more jobs and disappear once their active jobs are done. */
  drain(id: string, nowMs: number): void {
    const server = [...this.#live].find((s) => s.id === id);
    if (server === undefined) return;
    if (server.state === 'ready') this.#ready -= 1;
    server.state = 'draining';
    if (server.active === 0) this.#delete(server, nowMs);
  }

  hasReady(): boolean {
    return this.#ready > 0;
  }

  takeSlot(): SimServer | undefined {
    while (this.#freeHead < this.#freeSlots.length) {
      const server = this.#freeSlots[this.#freeHead];
      this.#freeHead += 1;
      if (this.#freeHead > compactAfter && this.#freeHead * 2 > this.#freeSlots.length) {
        this.#freeSlots.splice(0, this.#freeHead);
        this.#freeHead = 0;
      }
      if (server?.state === 'ready') {
        server.active += 1;
        return server;
      }
    }
    this.#freeSlots = [];
    this.#freeHead = 0;
    return undefined;
  }

  finish(server: SimServer, nowMs: number): void {
    server.active -= 1;
    if (server.state === 'ready') this.#freeSlots.push(server);
    else if (server.state === 'draining' && server.active === 0) this.#delete(server, nowMs);
  }

  live(): SimServer[] {
    return [...this.#live];
  }

  views(): ServerView[] {
    return this.live().map((s) => ({
      id: s.id,
      state: s.state,
      createdAtMs: s.createdAtMs,
      activeJobs: s.active,
    }));
  }

  /** Billed server-seconds up to the end of the run, and what they cost. */
  bill(endMs: number, billing: Billing): { serverSeconds: number; billedSeconds: number; cost: number } {
    let serverSeconds = 0;
    let billedSeconds = 0;
    for (const s of this.servers) {
      const lived = ((s.deletedAtMs ?? endMs) - s.createdAtMs) / 1000;
      serverSeconds += lived;
      billedSeconds +=
        billing.unit === 'hour'
          ? Math.max(1, Math.ceil(lived / 3600)) * 3600
          : Math.max(60, Math.ceil(lived));
    }
    return { serverSeconds, billedSeconds, cost: (billedSeconds / 3600) * billing.pricePerHour };
  }

  #delete(server: SimServer, nowMs: number): void {
    server.state = 'deleted';
    server.deletedAtMs = nowMs;
    this.#live.delete(server);
    this.deletes += 1;
  }
}
