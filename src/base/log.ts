import { type DestinationStream, type LogFn, type Logger, pino } from 'pino';
import { type LogFormat, prettyDestination } from './log-pretty.ts';
import { redactUrlsIn } from './redact.ts';

/** Field names whose values are secrets wherever they appear in a log line. */
const secretPaths = ['token', '*.token', 'password', '*.password', 'authorization', '*.authorization'];

export { type LogFormat, logFormats } from './log-pretty.ts';

export interface LoggerOptions {
  level?: string;
  /** Where the JSON lines go; defaults to stdout. */
  destination?: DestinationStream;
  /** @default 'auto' — pretty when stdout is a terminal, JSON lines otherwise */
  format?: LogFormat;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const base = {
    level: options.level ?? 'info',
    base: { name: 'bullmq-autoscaler' },
    redact: { paths: secretPaths, censor: '[redacted]' },
    formatters: { log: redactUrls },
    hooks: { logMethod: redactMessage },
  };
  const format = options.format ?? 'auto';
  const pretty =
    format === 'pretty' || (format === 'auto' && options.destination === undefined && isTerminal());
  if (!pretty) return options.destination ? pino(base, options.destination) : pino(base);
  // Formatted in-process, synchronously: no worker thread, and no optional dependency to miss.
  const output = options.destination ?? process.stdout;
  const detail = ['debug', 'trace'].includes(base.level);
  return pino(
    base,
    prettyDestination(output, { detail, color: options.destination === undefined && isTerminal() }),
  );
}

function isTerminal(): boolean {
  return process.stdout.isTTY === true;
}

/** Passwords inside URLs (redis://user:secret@host) are secrets too, wherever a URL appears. */
function redactUrls(object: Record<string, unknown>): Record<string, unknown> {
  return redactDeep(object, 0) as Record<string, unknown>;
}

/** Deep enough for any event or error we log; deeper values are left out rather than risked. */
const maxDepth = 6;

function redactDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactUrlsIn(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= maxDepth) return '[too deep]';
  // Errors (a Redis client's among them) quote the URL they failed on, in message and stack.
  if (value instanceof Error) {
    const { name, message, stack } = value;
    return { type: name, message: redactUrlsIn(message), stack: stack && redactUrlsIn(stack) };
  }
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, depth + 1)]));
}

/** The message text and its interpolated values go through the same redaction as fields. */
function redactMessage(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  const redacted = args.map((a) => (typeof a === 'string' ? redactUrlsIn(a) : a)) as Parameters<LogFn>;
  method.apply(this, redacted);
}
