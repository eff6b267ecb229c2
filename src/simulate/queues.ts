import type { QueueSample } from '../core/types.ts';
import { Heap } from './heap.ts';

export interface SimJob {
  index: number;
  queue: QueueState;
  readyAtMs: number;
  durationMs: number;
  /** 0 for the plain wait list, as in BullMQ. */
  priority: number;
}

/** Wait lists shrink from the front; the dead prefix is dropped once it dominates the array. */
const compactAfter = 1_024;

/** One BullMQ queue as the simulator keeps it: wait list, prioritized set, delayed set, counters. */
export class QueueState {
  readonly name: string;
  readonly #waiting: SimJob[] = [];
  #head = 0;
  readonly #prioritized = new Heap<SimJob>((a, b) => (a.priority - b.priority || a.index - b.index) < 0);
  readonly #delayed = new Heap<SimJob>((a, b) => (a.readyAtMs - b.readyAtMs || a.index - b.index) < 0);
  addedTotal = 0;
  active = 0;
  #runtimes: number[] = [];

  constructor(name: string) {
    this.name = name;
  }

  add(job: SimJob, nowMs: number): void {
    this.addedTotal += 1;
    if (job.readyAtMs > nowMs) this.#delayed.push(job);
    else this.#makeReady(job);
  }

  /** BullMQ promotes due delayed jobs only while some worker runs: the caller knows whether one does. */
  promoteDue(nowMs: number): void {
    for (
      let job = this.#delayed.peek();
      job !== undefined && job.readyAtMs <= nowMs;
      job = this.#delayed.peek()
    ) {
      this.#delayed.pop();
      this.#makeReady(job);
    }
  }

  /** The job a free worker slot would take next: the wait list before the prioritized set. */
  peekNext(): SimJob | undefined {
    return this.#waiting[this.#head] ?? this.#prioritized.peek();
  }

  takeNext(): SimJob | undefined {
    const job = this.#waiting[this.#head];
    if (job === undefined) return this.#prioritized.pop();
    this.#head += 1;
    if (this.#head > compactAfter && this.#head * 2 > this.#waiting.length) {
      this.#waiting.splice(0, this.#head);
      this.#head = 0;
    }
    return job;
  }

  complete(runtimeMs: number): void {
    this.active -= 1;
    this.#runtimes.push(runtimeMs);
  }

  backlog(nowMs: number): number {
    return this.#waiting.length - this.#head + this.#prioritized.size + this.#dueDelayed(nowMs);
  }

  /** What the real sampler reads from Redis; completed runtimes are handed over once, like a cursor. */
  sample(nowMs: number): QueueSample {
    const recentRuntimesMs = this.#runtimes;
    this.#runtimes = [];
    return {
      queue: this.name,
      waiting: this.#waiting.length - this.#head,
      prioritized: this.#prioritized.size,
      dueDelayed: this.#dueDelayed(nowMs),
      active: this.active,
      paused: false,
      oldestWaitMs: this.oldestWaitMs(nowMs),
      addedTotal: this.addedTotal,
      recentRuntimesMs,
    };
  }

  /** As the sampler defines it: the oldest of the wait-list head, the prioritized head and the earliest due delayed job. */
  oldestWaitMs(nowMs: number): number {
    const heads = [this.#waiting[this.#head], this.#prioritized.peek(), this.#earliestDue(nowMs)];
    return heads.reduce((max, job) => (job === undefined ? max : Math.max(max, nowMs - job.readyAtMs)), 0);
  }

  /** Unstarted jobs that were ready before the end, for the wait figures. */
  unstarted(): SimJob[] {
    return [...this.#waiting.slice(this.#head), ...popAll(this.#prioritized), ...popAll(this.#delayed)];
  }

  #makeReady(job: SimJob): void {
    if (job.priority > 0) this.#prioritized.push(job);
    else this.#waiting.push(job);
  }

  #earliestDue(nowMs: number): SimJob | undefined {
    const job = this.#delayed.peek();
    return job !== undefined && job.readyAtMs <= nowMs ? job : undefined;
  }

  /** Due delayed jobs exist only while no worker runs, so popping and restoring them stays cheap. */
  #dueDelayed(nowMs: number): number {
    let count = 0;
    const kept: SimJob[] = [];
    for (let job = this.#delayed.pop(); job !== undefined; job = this.#delayed.pop()) {
      kept.push(job);
      if (job.readyAtMs > nowMs) break;
      count += 1;
    }
    for (const job of kept) this.#delayed.push(job);
    return count;
  }
}

function popAll(heap: Heap<SimJob>): SimJob[] {
  const jobs: SimJob[] = [];
  for (let job = heap.pop(); job !== undefined; job = heap.pop()) jobs.push(job);
  return jobs;
}
