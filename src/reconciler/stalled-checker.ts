import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Checker-only BullMQ workers, one per pool queue: they process nothing, but return the active
 * jobs of a server that died or was destroyed past its drain deadline to the queue once their
 * lock lapses — even when no other worker is left to notice.
 */
export class StalledChecker {
  private workers: Worker[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly queues: readonly string[],
    private readonly intervalMs: number,
  ) {}

  async start(): Promise<void> {
    if (this.workers.length > 0) return;
    this.workers = this.queues.map(
      (queue) =>
        new Worker(queue, null, {
          connection: this.redis,
          prefix: this.prefix,
          autorun: false,
          stalledInterval: this.intervalMs,
          name: 'bullmq-autoscaler-stalled-checker',
        }),
    );
    for (const worker of this.workers) worker.on('error', () => {});
    await Promise.all(this.workers.map((w) => w.startStalledCheckTimer()));
  }

  async stop(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.close()));
  }
}
