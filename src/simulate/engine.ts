import { Fleet, type SimServer } from './fleet.ts';
import { Heap } from './heap.ts';
import type { FleetChange, Policy } from './policy.ts';
import { logNormal, type Random, seeded } from './prng.ts';
import { QueueState, type SimJob } from './queues.ts';
import type { Trace } from './trace.ts';

export interface SimOptions {
  slotsPerServer: number;
  /** Mean create → ready time of a server. */
  bootMs: number;
  /** Spread of boot times (log-normal sigma): clouds are rarely punctual. */
  bootSigma: number;
  seed: number;
  /** Spacing of the timeline points kept for charts. */
  timelineStepMs: number;
}

export interface TimelinePoint {
  t: number;
  backlog: number;
  desired: number;
  booting: number;
  ready: number;
  oldestWaitMs: number;
}

export interface SimResult {
  /** Every job that became ready before the end; an unstarted job waited until the end. */
  jobs: { readyAtMs: number; waitMs: number }[];
  fleet: Fleet;
  timeline: TimelinePoint[];
  horizonMs: number;
}

type SimEvent =
  | { at: number; seq: number; kind: 'finish'; server: SimServer; job: SimJob }
  | { at: number; seq: number; kind: 'boot'; server: SimServer }
  | { at: number; seq: number; kind: 'due' | 'tick' | 'record' };

/** A discrete-event run of one pool under one policy, on a virtual clock. */
class Simulation {
  readonly #events = new Heap<SimEvent>((a, b) => (a.at - b.at || a.seq - b.seq) < 0);
  readonly #queues = new Map<string, QueueState>();
  readonly #fleet: Fleet;
  readonly #random: Random;
  readonly #jobs: { readyAtMs: number; waitMs: number }[] = [];
  readonly #timeline: TimelinePoint[] = [];
  #bootsObserved: number[] = [];
  #seq = 0;
  #now = 0;
  #desired = 0;

  constructor(
    readonly trace: Trace,
    readonly policy: Policy,
    readonly options: SimOptions,
  ) {
    this.#fleet = new Fleet(options.slotsPerServer);
    this.#random = seeded(options.seed);
  }

  run(): SimResult {
    this.#start();
    const jobs = this.trace.jobs;
    let next = 0;
    for (;;) {
      const arrival = jobs[next];
      const event = this.#events.peek();
      const at = Math.min(arrival?.t ?? Number.POSITIVE_INFINITY, event?.at ?? Number.POSITIVE_INFINITY);
      if (at >= this.trace.horizonMs) break;
      this.#now = at;
      if (arrival !== undefined && arrival.t === at && (event === undefined || arrival.t <= event.at)) {
        this.#arrive(
          next,
          arrival.queue,
          arrival.t + (arrival.delayMs ?? 0),
          arrival.durationMs,
          arrival.priority,
        );
        next += 1;
      } else {
        this.#events.pop();
        if (event !== undefined) this.#handle(event);
      }
      this.#dispatch();
    }
    return this.#finish();
  }

  #start(): void {
    this.#schedule({ at: 0, seq: 0, kind: 'tick' });
    this.#schedule({ at: 0, seq: 0, kind: 'record' });
  }

  #schedule(event: SimEvent): void {
    this.#seq += 1;
    this.#events.push({ ...event, seq: this.#seq });
  }

  #queue(name: string): QueueState {
    let queue = this.#queues.get(name);
    if (queue === undefined) {
      queue = new QueueState(name);
      this.#queues.set(name, queue);
    }
    return queue;
  }

  #arrive(index: number, queueName: string, readyAtMs: number, durationMs: number, priority?: number): void {
    const queue = this.#queue(queueName);
    const job: SimJob = { index, queue, readyAtMs, durationMs, priority: priority ?? 0 };
    queue.add(job, this.#now);
    if (readyAtMs > this.#now) this.#schedule({ at: readyAtMs, seq: 0, kind: 'due' });
  }

  #handle(event: SimEvent): void {
    if (event.kind === 'finish') {
      this.#fleet.finish(event.server, this.#now);
      event.job.queue.complete(event.job.durationMs);
    } else if (event.kind === 'boot') {
      this.#boot(event.server);
    } else if (event.kind === 'due') {
      this.#promote();
    } else if (event.kind === 'tick') {
      this.#tick();
    } else {
      this.#record();
    }
  }

  #boot(server: SimServer): void {
    if (server.state !== 'booting') return;
    this.#fleet.markReady(server);
    this.#bootsObserved.push(this.#now - server.createdAtMs);
    this.#promote();
  }

  /** BullMQ promotes due delayed jobs only while a worker runs. */
  #promote(): void {
    if (!this.#fleet.hasReady()) return;
    for (const q of this.#queues.values()) q.promoteDue(this.#now);
  }

  #dispatch(): void {
    for (;;) {
      const queue = this.#nextQueue();
      if (queue === undefined) return;
      const server = this.#fleet.takeSlot();
      if (server === undefined) return;
      const job = queue.takeNext();
      if (job === undefined) return;
      queue.active += 1;
      this.#jobs[job.index] = { readyAtMs: job.readyAtMs, waitMs: this.#now - job.readyAtMs };
      this.#schedule({ at: this.#now + job.durationMs, seq: 0, kind: 'finish', server, job });
    }
  }

  /** Across a pool's queues the longest-ready job goes first. */
  #nextQueue(): QueueState | undefined {
    let best: QueueState | undefined;
    let bestReady = Number.POSITIVE_INFINITY;
    for (const q of this.#queues.values()) {
      const ready = q.peekNext()?.readyAtMs ?? Number.POSITIVE_INFINITY;
      if (ready < bestReady) {
        best = q;
        bestReady = ready;
      }
    }
    return best;
  }

  #tick(): void {
    this.#promote();
    const lookAheadMs = this.policy.lookAheadMs?.() ?? 0;
    const samples = [...this.#queues.values()].map((q) => q.sample(this.#now, lookAheadMs));
    const change = this.policy.step({
      nowMs: this.#now,
      samples,
      servers: this.#fleet.views(),
      bootsObservedMs: this.#bootsObserved,
    });
    this.#bootsObserved = [];
    this.#apply(change);
    this.#schedule({ at: this.#now + this.policy.intervalMs, seq: 0, kind: 'tick' });
  }

  #apply(change: FleetChange): void {
    this.#desired = change.desired;
    for (const id of change.drain) this.#fleet.drain(id, this.#now);
    for (let i = 0; i < change.create; i += 1) {
      const server = this.#fleet.create(this.#now);
      const bootMs = logNormal(this.#random, this.options.bootMs, this.options.bootSigma);
      this.#schedule({ at: this.#now + bootMs, seq: 0, kind: 'boot', server });
    }
  }

  #record(): void {
    const live = this.#fleet.live();
    const queues = [...this.#queues.values()];
    this.#timeline.push({
      t: this.#now,
      backlog: queues.reduce((sum, q) => sum + q.backlog(this.#now), 0),
      desired: this.#desired,
      booting: live.filter((s) => s.state === 'booting').length,
      ready: live.filter((s) => s.state === 'ready').length,
      oldestWaitMs: Math.max(0, ...queues.map((q) => q.oldestWaitMs(this.#now))),
    });
    this.#schedule({ at: this.#now + this.options.timelineStepMs, seq: 0, kind: 'record' });
  }

  #finish(): SimResult {
    const end = this.trace.horizonMs;
    for (const q of this.#queues.values()) {
      for (const job of q.unstarted()) {
        if (job.readyAtMs < end)
          this.#jobs[job.index] = { readyAtMs: job.readyAtMs, waitMs: end - job.readyAtMs };
      }
    }
    return {
      jobs: this.#jobs.filter((j) => j !== undefined),
      fleet: this.#fleet,
      timeline: this.#timeline,
      horizonMs: end,
    };
  }
}

export function simulate(trace: Trace, policy: Policy, options: SimOptions): SimResult {
  return new Simulation(trace, policy, options).run();
}
