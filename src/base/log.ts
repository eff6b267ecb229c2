import { type DestinationStream, type LogFn, type Logger, pino } from 'pino';
import { findOptionalPeer, missingPeerMessage } from './optional-peer.ts';
import { redactUrlsIn } from './redact.ts';

/** Field names whose values are secrets wherever they appear in a log line. */
const secretPaths = ['token', '*.token', 'password', '*.password', 'authorization', '*.authorization'];

export interface LoggerOptions {
  level?: string;
  /** Where the JSON lines go; defaults to stdout, pretty-printed when it is a terminal. */
  destination?: DestinationStream;
  /**
   * Pretty output for humans (needs the optional package pino-pretty; without it, JSON lines and
   * one line saying what to install); JSON lines otherwise.
   * @default true when stdout is a terminal
   */
  pretty?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const base = {
    level: options.level ?? 'info',
    base: { name: 'bullmq-autoscaler' },
    redact: { paths: secretPaths, censor: '[redacted]' },
    formatters: { log: redactUrls },
    hooks: { logMethod: redactMessage },
  };
  if (options.destination) return pino(base, options.destination);
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  if (!pretty) return pino(base);
  const prettyPrinter = findOptionalPeer('pino-pretty');
  if (prettyPrinter === undefined) {
    const logger = pino(base);
    logger.info(`${missingPeerMessage('pino-pretty', 'pretty log output')}; logging JSON lines`);
    return logger;
  }
  return pino({
    ...base,
    transport: {
      // By path: pino would look for the name from its own folder, not ours.
      target: prettyPrinter,
      options: { colorize: true, ignore: 'pid,hostname,name', translateTime: 'HH:MM:ss' },
    },
  });
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
