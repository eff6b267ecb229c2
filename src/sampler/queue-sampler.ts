import { Cluster, type Redis } from 'ioredis';
import { messageOf } from '../base/errors.ts';
import type { QueueSample } from '../core/types.ts';
import { groupBySlot, keySlot } from './key-slot.ts';
import { type SampleField, sampleFields, sampleQueuesScript } from './sample-script.ts';

/** Completed jobs read per queue per sample for the runtime estimate: plenty for an average. */
const runtimeSampleSize = 20;
/**
 * Queues per script call. A call blocks Redis while it runs; chunks keep each call to a few
 * milliseconds while one pipeline still carries them all in a single round trip.
 */
const queuesPerCall = 100;
/** ioredis defines the script as a command: EVALSHA, falling back to EVAL once per node. */
const commandName = 'bullmqAutoscalerSample';

/** A queue the sampler could not read this time, and Redis's reason. */
export interface QueueFailure {
  queue: string;
  error: string;
}

/** One sample: every queue that could be read, and every queue that could not (named). */
export interface SampleRound {
  samples: QueueSample[];
  failures: QueueFailure[];
}

/** Queues sampled by one script call: all in one hash slot under Redis Cluster. */
interface Call {
  queues: string[];
  /** The hash slot of the call's queues; 0 on a single Redis, where slots do not matter. */
  slot: number;
}

type Outcome = { queue: string; values: number[] } | QueueFailure;
type ScriptCaller = Record<typeof commandName, (...args: string[]) => Promise<unknown>>;

/**
 * Samples many BullMQ queues in one round trip per Redis node whatever their number: counts, the
 * age of the longest-waiting ready job (wait list, prioritized set and due delayed jobs) and the
 * runtimes of jobs completed since the previous sample. Under Redis Cluster it runs one script per
 * hash slot (chunked), pipelined per node; a queue whose keys cannot be read fails alone.
 */
export class QueueSampler {
  /** finishedOn of the newest completed job already seen, per queue. */
  private readonly lastFinishedOn = new Map<string, number>();

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
  ) {
    redis.defineCommand(commandName, { lua: sampleQueuesScript, readOnly: true });
  }

  /**
   * `lookAheadMs`: how far ahead delayed jobs count as upcoming demand (the pools' boot and a
   * margin). Throws only when Redis could not be asked at all (a connection down): then no queue is at
   * fault and none is named. A queue Redis answered an error for is in `failures`.
   */
  async sample(queues: readonly string[], nowMs: number, lookAheadMs = 0): Promise<SampleRound> {
    const batches = this.batchesByNode(this.callsOf(queues));
    const settled = await Promise.allSettled(
      batches.map((calls) => this.runBatch(calls, nowMs, lookAheadMs)),
    );
    const down = settled.find((s) => s.status === 'rejected');
    // Nothing answered: Redis is down or unreachable, which is no queue's fault.
    if (down && settled.every((s) => s.status === 'rejected')) throw down.reason;
    const outcomes = settled.flatMap((s, i) =>
      s.status === 'fulfilled'
        ? s.value
        : (batches[i] ?? []).flatMap((call) =>
            call.queues.map((queue) => ({ queue, error: messageOf(s.reason) })),
          ),
    );
    const byQueue = new Map(outcomes.map((o) => [o.queue, o]));
    const round: SampleRound = { samples: [], failures: [] };
    for (const queue of queues) {
      const outcome = byQueue.get(queue);
      if (outcome === undefined) continue;
      if ('error' in outcome) round.failures.push(outcome);
      else round.samples.push(this.sampleOf(queue, outcome.values, nowMs));
    }
    return round;
  }

  private callsOf(queues: readonly string[]): Call[] {
    // On one Redis every key is local: one group keeps the calls few.
    const cluster = this.redis instanceof Cluster;
    const calls: Call[] = [];
    for (const group of groupBySlot([...new Set(queues)], this.prefix, cluster)) {
      const slot = cluster ? keySlot(this.metaKey(group[0] ?? '')) : 0;
      for (let i = 0; i < group.length; i += queuesPerCall)
        calls.push({ slot, queues: group.slice(i, i + queuesPerCall) });
    }
    return calls;
  }

  /**
   * Calls grouped by the node that serves their slot: an ioredis Cluster pipeline must stay on one
   * node. Slots whose node is not known yet (no topology yet) go alone, each routed by ioredis.
   */
  private batchesByNode(calls: Call[]): Call[][] {
    if (!(this.redis instanceof Cluster)) return calls.length > 0 ? [calls] : [];
    const slots = this.redis.slots;
    const byNode = new Map<string, Call[]>();
    for (const call of calls) {
      const node = slots[call.slot]?.join(',') ?? `slot ${call.slot}`;
      append(byNode, node, call);
    }
    return [...byNode.values()];
  }

  private async runBatch(calls: Call[], nowMs: number, lookAheadMs: number): Promise<Outcome[]> {
    const pipeline = this.redis.pipeline();
    // defineCommand adds the script to pipelines at run time; TypeScript cannot know its name.
    const caller = pipeline as unknown as ScriptCaller;
    for (const call of calls) void caller[commandName](...this.argsOf(call, nowMs, lookAheadMs));
    const results = await pipeline.exec();
    if (results === null) throw new Error('Redis pipeline was discarded');
    return calls.flatMap((call, i) => {
      const [error, reply] = results[i] ?? [new Error('no reply'), null];
      if (error) return call.queues.map((queue) => ({ queue, error: error.message }));
      return call.queues.map((queue, j) => outcomeOf(queue, Array.isArray(reply) ? reply[j] : undefined));
    });
  }

  private argsOf(call: Call, nowMs: number, lookAheadMs: number): string[] {
    return [
      String(call.queues.length),
      ...call.queues.map((q) => this.metaKey(q)),
      this.prefix,
      String(nowMs),
      String(runtimeSampleSize),
      String(Math.max(0, Math.round(lookAheadMs))),
      ...call.queues.flatMap((q) => [q, String(this.lastFinishedOn.get(q) ?? '')]),
    ];
  }

  private metaKey(queue: string): string {
    return `${this.prefix}:${queue}:meta`;
  }

  private sampleOf(queue: string, values: number[], nowMs: number): QueueSample {
    const field = (name: SampleField): number => values[sampleFields.indexOf(name)] ?? 0;
    const newest = field('newestFinishedOn');
    if (newest >= 0) this.lastFinishedOn.set(queue, newest);
    const readyAt = field('readyAtMs');
    return {
      queue,
      waiting: countOf(field('waiting')),
      prioritized: countOf(field('prioritized')),
      active: countOf(field('active')),
      dueDelayed: countOf(field('dueDelayed')),
      paused: field('paused') === 1,
      addedTotal: countOf(field('addedTotal')),
      delayedTotal: countOf(field('delayedTotal')),
      upcomingDelayed: countOf(field('upcomingDelayed')),
      // A producer clock ahead of ours would give a negative age: that job has not waited yet.
      oldestWaitMs: readyAt < 0 ? 0 : Math.max(0, nowMs - readyAt),
      recentRuntimesMs: values.slice(sampleFields.length),
    };
  }
}

/** Failures with the same reason together: one event per reason, naming its queues. */
export function failuresByError(failures: readonly QueueFailure[]): { error: string; queues: string[] }[] {
  const byError = new Map<string, string[]>();
  for (const { queue, error } of failures) append(byError, error, queue);
  return [...byError].map(([error, queues]) => ({ error, queues }));
}

/** One queue's reply: its values, or the error the script caught while reading it. */
function outcomeOf(queue: string, reply: unknown): Outcome {
  if (!Array.isArray(reply)) return { queue, error: 'the sample script gave no reply for this queue' };
  if (reply[0] === 'error') return { queue, error: String(reply[1]) };
  return { queue, values: reply.map(Number) };
}

/** Adds to a grouping in place: copying the group on every add made 1000 queues quadratic. */
function append<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
  const group = groups.get(key);
  if (group) group.push(value);
  else groups.set(key, [value]);
}

function countOf(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}
