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
  /** Delayed jobs by due time, as BullMQ's delayed sorted set: counted by range, popped from the head. */
  readonly #delayed = new DueList();
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
    for (const job of this.#delayed.takeDue(nowMs)) this.#makeReady(job);
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

  /**
   * What the real sampler reads from Redis; completed runtimes are handed over once, like a cursor.
   * Delayed jobs due after now and up to `lookAheadMs` later are counted as upcoming.
   */
  sample(nowMs: number, lookAheadMs = 0): QueueSample {
    const recentRuntimesMs = this.#runtimes;
    this.#runtimes = [];
    return {
      queue: this.name,
      waiting: this.#waiting.length - this.#head,
      prioritized: this.#prioritized.size,
      dueDelayed: this.#dueDelayed(nowMs),
      delayedTotal: this.#delayed.size,
      upcomingDelayed: this.#delayed.countDue(nowMs + lookAheadMs) - this.#dueDelayed(nowMs),
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
    return [
      ...this.#waiting.slice(this.#head),
      ...popAll(this.#prioritized),
      ...this.#delayed.takeDue(Number.POSITIVE_INFINITY),
    ];
  }

  #makeReady(job: SimJob): void {
    if (job.priority > 0) this.#prioritized.push(job);
    else this.#waiting.push(job);
  }

  #earliestDue(nowMs: number): SimJob | undefined {
    const job = this.#delayed.first();
    return job !== undefined && job.readyAtMs <= nowMs ? job : undefined;
  }

  #dueDelayed(nowMs: number): number {
    return this.#delayed.countDue(nowMs);
  }
}

/** Jobs sorted by (due time, index); the taken prefix is dropped once it dominates the array. */
class DueList {
  readonly #jobs: SimJob[] = [];
  #head = 0;

  get size(): number {
    return this.#jobs.length - this.#head;
  }

  first(): SimJob | undefined {
    return this.#jobs[this.#head];
  }

  push(job: SimJob): void {
    // Jobs mostly arrive in due order (herds share one due time): search from the end is O(1) then.
    const at = this.#firstAfter(job.readyAtMs, job.index);
    this.#jobs.splice(at, 0, job);
  }

  /** How many are due at or before `atMs`. */
  countDue(atMs: number): number {
    return this.#firstAfter(atMs, Number.POSITIVE_INFINITY) - this.#head;
  }

  takeDue(atMs: number): SimJob[] {
    const end = this.#firstAfter(atMs, Number.POSITIVE_INFINITY);
    const due = this.#jobs.slice(this.#head, end);
    this.#head = end;
    if (this.#head > compactAfter && this.#head * 2 > this.#jobs.length) {
      this.#jobs.splice(0, this.#head);
      this.#head = 0;
    }
    return due;
  }

  /** The first position whose job sorts after (atMs, index). */
  #firstAfter(atMs: number, index: number): number {
    let lo = this.#head;
    let hi = this.#jobs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const job = this.#jobs[mid];
      if (job !== undefined && (job.readyAtMs < atMs || (job.readyAtMs === atMs && job.index <= index)))
        lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function popAll(heap: Heap<SimJob>): SimJob[] {
  const jobs: SimJob[] = [];
  for (let job = heap.pop(); job !== undefined; job = heap.pop()) jobs.push(job);
  return jobs;
}
