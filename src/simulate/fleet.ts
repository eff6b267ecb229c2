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
  /**
   * Least a server is charged however short its life, in USD, on top of the unit's own minimum
   * (60 s, or one started hour). DigitalOcean, since 1 January 2026: "per second, with a minimum
   * charge of 60 seconds or $0.01 (whichever is higher)" (DigitalOcean staff in its community Q&A,
   * citing its changelog: digitalocean.com/community/questions/how-billing-works-for-1-hour). At
   * $0.01786/h, $0.01 buys 33.6 minutes: a server created for less still costs $0.01.
   * @default 0
   */
  minimumChargeUsd?: number;
}

/** Seconds a server is billed for having lived `lived` seconds: the unit's rounding, then the minimum charge. */
export function billedSecondsOf(lived: number, billing: Billing): number {
  const byUnit =
    billing.unit === 'hour' ? Math.max(1, Math.ceil(lived / 3600)) * 3600 : Math.max(60, Math.ceil(lived));
  const minimumUsd = billing.minimumChargeUsd ?? 0;
  // A free server (price 0) has no time equivalent of a charge; the charge is added in bill().
  const minimumSeconds = billing.pricePerHour > 0 ? (minimumUsd / billing.pricePerHour) * 3600 : 0;
  return Math.max(byUnit, minimumSeconds);
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

  /**
   * Server-seconds lived up to the end of the run (the benchmark's ranking figure), the seconds the
   * provider bills for them (each server rounded by the unit and raised to the minimum charge), and
   * what they cost in USD.
   */
  bill(endMs: number, billing: Billing): { serverSeconds: number; billedSeconds: number; cost: number } {
    let serverSeconds = 0;
    let billedSeconds = 0;
    let cost = 0;
    for (const s of this.servers) {
      const lived = ((s.deletedAtMs ?? endMs) - s.createdAtMs) / 1000;
      const billed = billedSecondsOf(lived, billing);
      serverSeconds += lived;
      billedSeconds += billed;
      cost += Math.max((billed / 3600) * billing.pricePerHour, billing.minimumChargeUsd ?? 0);
    }
    return { serverSeconds, billedSeconds, cost };
  }

  #delete(server: SimServer, nowMs: number): void {
    server.state = 'deleted';
    server.deletedAtMs = nowMs;
    this.#live.delete(server);
    this.deletes += 1;
  }
}
