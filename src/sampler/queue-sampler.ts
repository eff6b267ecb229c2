import type { Redis } from 'ioredis';
import type { QueueSample } from '../core/types.ts';
import { sampleQueuesScript } from './sample-script.ts';

/** Completed jobs read per queue per sample for the runtime estimate: plenty for an average. */
const runtimeSampleSize = 20;
/**
 * Queues per script call. A call blocks Redis while it runs; chunks keep each call to a few
 * milliseconds while one pipeline still carries them all in a single round trip.
 */
const queuesPerCall = 100;
/** Values the script returns per queue before the runtimes. */
const fixedFields = 11;

type PipelineResult = [Error | null, unknown][] | null;

/**
 * Samples many BullMQ queues in one round trip whatever their number: counts, the age of the
 * longest-waiting ready job (wait list, prioritized set and due delayed jobs) and the runtimes of
 * jobs completed since the previous sample.
 */
export class QueueSampler {
  /** finishedOn of the newest completed job already seen, per queue. */
  private readonly lastFinishedOn = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** `lookAheadMs`: how far ahead delayed jobs count as upcoming demand (the pools' boot and a margin). */
  async sample(queues: readonly string[], nowMs: number, lookAheadMs = 0): Promise<QueueSample[]> {
    const pipeline = this.redis.pipeline();
    for (let i = 0; i < queues.length; i += queuesPerCall) {
      const chunk = queues.slice(i, i + queuesPerCall);
      const perQueue = chunk.flatMap((q) => [q, String(this.lastFinishedOn.get(q) ?? '')]);
      pipeline.eval(
        sampleQueuesScript,
        0,
        this.prefix,
        String(nowMs),
        String(runtimeSampleSize),
        String(Math.max(0, Math.round(lookAheadMs))),
        ...perQueue,
      );
    }
    const values = unwrap(await pipeline.exec()).flatMap((reply) =>
      Array.isArray(reply) ? reply.map(Number) : [],
    );
    let cursor = 0;
    return queues.map((queue) => {
      const [
        waiting,
        prioritized,
        active,
        dueDelayed,
        paused,
        added,
        readyAt,
        newest,
        delayed,
        upcoming,
        count,
      ] = values.slice(cursor, cursor + fixedFields);
      const runtimes = values.slice(cursor + fixedFields, cursor + fixedFields + (count ?? 0));
      cursor += fixedFields + (count ?? 0);
      if (newest !== undefined && newest >= 0) this.lastFinishedOn.set(queue, newest);
      return {
        queue,
        waiting: countOf(waiting),
        prioritized: countOf(prioritized),
        active: countOf(active),
        dueDelayed: countOf(dueDelayed),
        paused: paused === 1,
        addedTotal: countOf(added),
        delayedTotal: countOf(delayed),
        upcomingDelayed: countOf(upcoming),
        // A producer clock ahead of ours would give a negative age: that job has not waited yet.
        oldestWaitMs: readyAt === undefined || readyAt < 0 ? 0 : Math.max(0, nowMs - readyAt),
        recentRuntimesMs: runtimes,
      };
    });
  }
}

function unwrap(results: PipelineResult): unknown[] {
  if (results === null) throw new Error('Redis pipeline was discarded');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

function countOf(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : 0;
}
