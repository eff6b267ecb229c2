import { Worker } from 'bullmq';
import type { RedisClient } from '../base/redis-connection.ts';

/**
 * How long a queue stays watched after a server of its pool went away without draining. BullMQ
 * notices a dead worker's job only once its lock lapses (30 s by default; users raise it).
 */
const watchMs = 10 * 60_000;

/**
 * Checker-only BullMQ workers: they process nothing, but return the active jobs of a server that
 * died, or was destroyed past its drain deadline, to the queue once their lock lapses — even when
 * no other worker is left to notice. Each holds a blocking Redis connection, so a queue is watched
 * only for a while after such a loss, not all the time: at 100 queues, always-on checkers cost
 * 100 connections and ~12 MB for nothing on a healthy fleet.
 */
export class StalledChecker {
  private readonly watched = new Map<string, { worker: Worker; untilMs: number }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly intervalMs: number,
  ) {}

  /** Watches these queues from now for a while; watching again extends the while. */
  async watch(queues: readonly string[], nowMs: number): Promise<void> {
    for (const queue of queues) {
      const current = this.watched.get(queue);
      if (current) {
        current.untilMs = nowMs + watchMs;
        continue;
      }
      const worker = new Worker(queue, null, {
        connection: this.redis,
        prefix: this.prefix,
        autorun: false,
        stalledInterval: this.intervalMs,
        name: 'bullmq-autoscaler-stalled-checker',
      });
      worker.on('error', () => {});
      this.watched.set(queue, { worker, untilMs: nowMs + watchMs });
      await worker.startStalledCheckTimer();
    }
  }

  /** Stops watching queues whose while is over. */
  async sweep(nowMs: number): Promise<void> {
    const over = [...this.watched].filter(([, w]) => w.untilMs <= nowMs);
    for (const [queue] of over) this.watched.delete(queue);
    await Promise.all(over.map(([, w]) => w.worker.close()));
  }

  watching(): string[] {
    return [...this.watched.keys()];
  }

  async stop(): Promise<void> {
    const workers = [...this.watched.values()].map((w) => w.worker);
    this.watched.clear();
    await Promise.all(workers.map((w) => w.close()));
  }
}
