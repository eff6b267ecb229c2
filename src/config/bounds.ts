import { z } from 'zod';

/**
 * The longest duration any setting may hold: a week. Timers longer than 2³¹ − 1 ms (24.8 days)
 * fire at once in Node, and no deadline of this scaler is sensibly longer than a week, so a
 * bigger number is a typo (seconds written as ms, an extra zero run) and is refused.
 */
export const MAX_DURATION_MS = 7 * 24 * 3_600_000;

/** The most servers any one count may name: far above any fleet, far below float trouble. */
export const MAX_SERVERS = 10_000;

/** A duration in ms: a whole number from 0 to a week. */
export const durationMs = z.number().int().min(0).max(MAX_DURATION_MS);

/** A server count: a whole number from 0 to MAX_SERVERS. */
export const serverCount = z.number().int().min(0).max(MAX_SERVERS);

/**
 * Characters a queue name cannot carry to its workers: QUEUES is one comma-separated
 * environment variable (a comma would split the name, a control character cannot travel
 * through user_data or an environment file), and BullMQ itself refuses ":".
 */
export const QUEUE_NAME_FORBIDDEN = /[,:\p{Cc}]/u;

export const queueName = z
  .string()
  .min(1)
  .refine((queue) => !QUEUE_NAME_FORBIDDEN.test(queue), {
    error: 'must not contain a comma, a colon or a control character (rename the queue)',
  });
