/** One job of a workload trace, as stored in a JSON-lines trace file. */
export interface TraceJob {
  /** When the producer added the job, in ms from the start of the trace. */
  t: number;
  queue: string;
  durationMs: number;
  /** BullMQ priority: 1 is the highest; absent means the plain wait list. */
  priority?: number;
  /** The job becomes ready this long after it was added. */
  delayMs?: number;
}

export interface Trace {
  name: string;
  /** Jobs sorted by t. */
  jobs: TraceJob[];
  /** The simulated span: the trace plus a quiet tail in which fleets can scale back down. */
  horizonMs: number;
}

/** Quiet time simulated after the last arrival of a trace file, so scale-down shows in the bill. */
const fileTailMs = 15 * 60_000;

export class TraceError extends Error {}

/** Parses a JSON-lines trace; errors name the line and field so a broken file is quick to fix. */
export function parseTrace(name: string, text: string): Trace {
  const jobs: TraceJob[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    jobs.push(parseJob(line, i + 1));
  });
  if (jobs.length === 0) throw new TraceError(`${name}: no jobs`);
  jobs.sort((a, b) => a.t - b.t);
  const last = jobs.reduce((end, j) => Math.max(end, j.t + (j.delayMs ?? 0) + j.durationMs), 0);
  return { name, jobs, horizonMs: last + fileTailMs };
}

function parseJob(line: string, lineNo: number): TraceJob {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new TraceError(`line ${lineNo}: not JSON`);
  }
  if (typeof value !== 'object' || value === null) throw new TraceError(`line ${lineNo}: not an object`);
  const record = value as Record<string, unknown>;
  const job: TraceJob = {
    t: nonNegative(record.t, 't', lineNo),
    queue: queueName(record.queue, lineNo),
    durationMs: nonNegative(record.durationMs, 'durationMs', lineNo),
  };
  if (record.priority !== undefined) job.priority = nonNegative(record.priority, 'priority', lineNo);
  if (record.delayMs !== undefined) job.delayMs = nonNegative(record.delayMs, 'delayMs', lineNo);
  return job;
}

function nonNegative(value: unknown, field: string, lineNo: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TraceError(`line ${lineNo}: ${field} must be a number ≥ 0`);
  }
  return value;
}

function queueName(value: unknown, lineNo: number): string {
  if (typeof value !== 'string' || value === '') throw new TraceError(`line ${lineNo}: queue must be a name`);
  return value;
}
