import { z } from 'zod';
import { durationMs as ms } from './bounds.ts';

const defaults = {
  bootTimeoutMs: 600_000,
  createTimeoutMs: 300_000,
  drainTimeoutMs: 900_000,
  heartbeatLostMs: 30_000,
  leaseTtlMs: 10_000,
  reconcileEveryTicks: 30,
  orphanGraceMs: 300_000,
  adoptOrphans: false,
  circuitBreakerFailures: 3,
  stalledCheckMs: 5_000,
  provisioningRetryMs: 2_000,
};

/** Deadlines, the leader lease and the reconciler: what keeps the fleet honest through crashes. */
export const lifecycleSchema = z
  .object({
    bootTimeoutMs: ms
      .min(1_000)
      .default(defaults.bootTimeoutMs)
      .describe('A server not ready this long after the provider created it is hanging, and is replaced.'),
    createTimeoutMs: ms
      .min(1_000)
      .default(defaults.createTimeoutMs)
      .describe('A create call unanswered this long is hanging.'),
    drainTimeoutMs: ms
      .min(1_000)
      .default(defaults.drainTimeoutMs)
      .describe('A draining server is destroyed anyway after this long; its jobs return to the queue.'),
    heartbeatLostMs: ms
      .min(1_000)
      .default(defaults.heartbeatLostMs)
      .describe(
        'A ready server silent this long has failed, and is replaced. After a Redis outage or a lease taken over, silence counts only from when Redis answered again (plus 2 s for the workers to reconnect).',
      ),
    leaseTtlMs: ms
      .min(1_000)
      .default(defaults.leaseTtlMs)
      .describe(
        'Leader lease lifetime: a standby takes over within it after the leader dies. Renewed three times per lifetime on its own timer; at least 2 × tickMs.',
      ),
    reconcileEveryTicks: z
      .number()
      .int()
      .min(1)
      // Ticks × tickMs becomes a timer: keep it under a week at the slowest tick.
      .max(10_000)
      .default(defaults.reconcileEveryTicks)
      .describe('Compare the provider’s tagged servers with the records every this many ticks.'),
    orphanGraceMs: ms
      .default(defaults.orphanGraceMs)
      .describe(
        'A tagged server without a record is left alone this long before it is deleted (or adopted).',
      ),
    adoptOrphans: z
      .boolean()
      .default(defaults.adoptOrphans)
      .describe('Adopt tagged servers without a record instead of deleting them.'),
    circuitBreakerFailures: z
      .number()
      .int()
      .min(1)
      .max(1_000)
      .default(defaults.circuitBreakerFailures)
      .describe('Consecutive failed creates in a pool that open its circuit (an alert).'),
    provisioningRetryMs: ms
      .min(10)
      .default(defaults.provisioningRetryMs)
      .describe('First wait before a failed create or destroy call is retried; doubles per attempt.'),
    stalledCheckMs: ms
      .min(100)
      .default(defaults.stalledCheckMs)
      .describe(
        'How often dead servers’ jobs are checked for; also each worker’s BullMQ lock and stalled-check period (STALLED_CHECK_MS), so a dead server’s jobs return within about twice this.',
      ),
  })
  .strict()
  .default(defaults)
  .describe('Server lifecycle deadlines, the leader lease and the reconciler.');
