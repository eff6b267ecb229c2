import type { Redis } from 'ioredis';
import type { QueueSample } from '../core/types.ts';
import { bullKeys } from '../redis-keys.ts';

/** Delayed jobs are scored (due time × 4096 + counter) by BullMQ. */
const delayedScoreFactor = 0x1000;
/** Completed jobs read per queue per sample for the runtime estimate: plenty for an average. */
const runtimeSampleSize = 20;
/** Commands per queue in the first round trip, in the order readCounts() issues them. */
const countsPerQueue = 10;

type PipelineResult = [Error | null, unknown][] | null;

interface Heads {
  waitHead: string | undefined;
  prioritizedHead: string | undefined;
  dueDelayedHead: string | undefined;
  completed: string[];
}

/**
 * Samples many BullMQ queues in two round trips whatever their number: one pipeline for counts
 * and the ids at the head of each line, one for those jobs' timestamps. Reads BullMQ's keys
 * directly because its getters cost one round trip per call and know nothing of wait age.
 */
export class QueueSampler {
  /** finishedOn of the newest completed job already seen, per queue. */
  private readonly lastFinishedOn = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async sample(queues: readonly string[], nowMs: number): Promise<QueueSample[]> {
    const first = await this.readCounts(queues, nowMs);
    const partial = queues.map((queue, i) =>
      parseCounts(queue, first.slice(i * countsPerQueue, (i + 1) * countsPerQueue)),
    );
    const second = await this.readJobs(
      queues,
      partial.map((p) => p.heads),
    );
    let cursor = 0;
    return partial.map(({ sample, heads }) => {
      const take = (n: number) => {
        cursor += n;
        return second.slice(cursor - n, cursor);
      };
      const [wait, prioritized, dueDelayed] = take(3).map((fields) => waitAgeMs(fields, nowMs));
      const runtimes = take(heads.completed.length);
      sample.oldestWaitMs = Math.max(0, wait ?? 0, prioritized ?? 0, dueDelayed ?? 0);
      sample.recentRuntimesMs = this.newRuntimes(sample.queue, runtimes);
      return sample;
    });
  }

  private async readCounts(queues: readonly string[], nowMs: number): Promise<unknown[]> {
    const pipeline = this.redis.pipeline();
    const dueMaxScore = (nowMs + 1) * delayedScoreFactor - 1;
    for (const queue of queues) {
      const k = bullKeys(this.prefix, queue);
      const since = this.lastFinishedOn.get(queue);
      pipeline
        .llen(k.wait)
        .zcard(k.prioritized)
        .llen(k.active)
        .zcount(k.delayed, 0, dueMaxScore)
        .hexists(k.meta, 'paused')
        .get(k.id)
        .lindex(k.wait, -1)
        .zrange(k.prioritized, '0', '0')
        .zrangebyscore(k.delayed, 0, dueMaxScore, 'LIMIT', 0, 1)
        // Jobs completed since the last sample (the score is finishedOn) feed the runtime estimate.
        .zrangebyscore(
          k.completed,
          since === undefined ? '-inf' : `(${since}`,
          '+inf',
          'LIMIT',
          0,
          runtimeSampleSize,
        );
    }
    return unwrap(await pipeline.exec());
  }

  private async readJobs(queues: readonly string[], heads: Heads[]): Promise<(string | null)[][]> {
    const pipeline = this.redis.pipeline();
    queues.forEach((queue, i) => {
      const k = bullKeys(this.prefix, queue);
      const h = heads[i];
      if (h === undefined) return;
      for (const id of [h.waitHead, h.prioritizedHead, h.dueDelayedHead]) {
        pipeline.hmget(k.job(id ?? ''), 'timestamp', 'delay');
      }
      for (const id of h.completed) pipeline.hmget(k.job(id), 'processedOn', 'finishedOn');
    });
    return unwrap(await pipeline.exec()) as (string | null)[][];
  }

  private newRuntimes(queue: string, rows: (string | null)[][]): number[] {
    const runtimes: number[] = [];
    for (const [processedOn, finishedOn] of rows) {
      const start = Number(processedOn);
      const end = Number(finishedOn);
      if (!Number.isFinite(start) || !Number.isFinite(end) || processedOn === null || finishedOn === null)
        continue;
      this.lastFinishedOn.set(queue, Math.max(this.lastFinishedOn.get(queue) ?? 0, end));
      if (end >= start) runtimes.push(end - start);
    }
    return runtimes;
  }
}

function unwrap(results: PipelineResult): unknown[] {
  if (results === null) throw new Error('Redis pipeline was discarded');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

function parseCounts(queue: string, values: unknown[]): { sample: QueueSample; heads: Heads } {
  const [
    waiting,
    prioritized,
    active,
    dueDelayed,
    paused,
    added,
    waitHead,
    prioHead,
    delayedHead,
    completed,
  ] = values;
  const sample: QueueSample = {
    queue,
    waiting: toCount(waiting),
    prioritized: toCount(prioritized),
    active: toCount(active),
    dueDelayed: toCount(dueDelayed),
    paused: toCount(paused) === 1,
    addedTotal: toCount(added),
    oldestWaitMs: 0,
    recentRuntimesMs: [],
  };
  const heads: Heads = {
    waitHead: typeof waitHead === 'string' ? waitHead : undefined,
    prioritizedHead: firstId(prioHead),
    dueDelayedHead: firstId(delayedHead),
    completed: Array.isArray(completed) ? completed.filter((id): id is string => typeof id === 'string') : [],
  };
  return { sample, heads };
}

function toCount(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

function firstId(value: unknown): string | undefined {
  return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

/** A delayed or retried job became ready at timestamp + delay, not when it was added. */
function waitAgeMs(fields: (string | null)[] | undefined, nowMs: number): number {
  const timestamp = Number(fields?.[0]);
  if (fields?.[0] === null || !Number.isFinite(timestamp)) return 0;
  const readyAt = timestamp + (Number(fields?.[1]) || 0);
  // A producer clock ahead of ours would give a negative age: that job has not waited yet.
  return Math.max(0, nowMs - readyAt);
}
