import { type DestinationStream, type Logger, pino } from 'pino';

/** Field names whose values are secrets wherever they appear in a log line. */
const secretPaths = ['token', '*.token', 'password', '*.password', 'authorization', '*.authorization'];

export interface LoggerOptions {
  level?: string;
  /** Where the JSON lines go; defaults to stdout, pretty-printed when it is a terminal. */
  destination?: DestinationStream;
  /** Pretty output for humans; JSON lines otherwise. */
  pretty?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const base = {
    level: options.level ?? 'info',
    base: { name: 'bullmq-autoscaler' },
    redact: { paths: secretPaths, censor: '[redacted]' },
    formatters: { log: redactUrls },
  };
  if (options.destination) return pino(base, options.destination);
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  if (!pretty) return pino(base);
  return pino({
    ...base,
    transport: {
      target: 'pino-pretty',
      options: { colorize: true, ignore: 'pid,hostname,name', translateTime: 'HH:MM:ss' },
    },
  });
}

/** Passwords inside URLs (redis://user:secret@host) are secrets too, wherever a URL appears. */
function redactUrls(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    out[key] = typeof value === 'string' ? redactUrlsIn(value) : value;
  }
  return out;
}

export function redactUrlsIn(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]+@/gi, '$1[redacted]@');
}
