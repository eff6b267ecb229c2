/**
 * One readable line per log record for a terminal:
 *   `12:04:31 INFO  emails  server.draining  emails-3: scale-down 5 → 4`
 * The pool comes first because an operator scans by pool; numbers are compact (`12.3s`, `1.2k`);
 * the message is not repeated as a field. Full detail (nested objects, stacks) only at debug.
 */

/** `pretty`: one readable line per event; `json`: pino's JSON lines; `auto`: pretty on a terminal. */
export const logFormats = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof logFormats)[number];

/** Fields that are the line's frame (time, level, pool, event, message), or noise in a terminal. */
const framed = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'name', 'pool', 'event']);
/** Fields that explain a number rather than state it: shown at debug only. */
const detailOnly = new Set(['terms']);

const levelNames: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const levelColors: Record<number, string> = { 40: '\u001b[33m', 50: '\u001b[31m', 60: '\u001b[31m' };

export interface PrettyOptions {
  /** Every field, nested objects and error stacks included (the logger's level is debug or trace). */
  detail: boolean;
  /** ANSI colours for warnings and errors. */
  color: boolean;
}

/** A pino JSON record as one line (plus the stack at debug), without the trailing newline. */
export function prettyLine(record: Record<string, unknown>, options: PrettyOptions): string {
  const level = typeof record.level === 'number' ? record.level : 30;
  const levelText = levelNames[level] ?? String(level);
  const color = options.color ? levelColors[level] : undefined;
  const head = [
    clock(record.time),
    color === undefined ? levelText : `${color}${levelText}\u001b[0m`,
    typeof record.pool === 'string' ? record.pool : undefined,
    typeof record.event === 'string' ? record.event : undefined,
  ].filter((part) => part !== undefined);
  const message = typeof record.msg === 'string' && record.msg !== record.event ? record.msg : undefined;
  const fields: string[] = [];
  let stack: string | undefined;
  for (const [key, value] of Object.entries(record)) {
    if (framed.has(key) || value === undefined || (detailOnly.has(key) && !options.detail)) continue;
    if (typeof value === 'string' && value === message) continue;
    if (isErrorLike(value)) {
      fields.push(`${key}=${quoted(value.message)}`);
      if (options.detail && typeof value.stack === 'string') stack = value.stack;
      continue;
    }
    const shown = compact(key, value, options.detail);
    if (shown !== undefined) fields.push(shown);
  }
  const line = [...head, ...(message === undefined ? [] : [message]), ...fields].join('  ');
  return stack === undefined ? line : `${line}\n${indent(stack)}`;
}

/** A pino destination that writes pretty lines to a stream (stdout in the CLI). */
export function prettyDestination(
  output: { write(text: string): unknown },
  options: PrettyOptions,
): { write(line: string): void } {
  return {
    write(line: string) {
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        output.write(line);
        return;
      }
      output.write(`${prettyLine(record as Record<string, unknown>, options)}\n`);
    },
  };
}

function clock(time: unknown): string {
  const date = new Date(typeof time === 'number' ? time : Date.now());
  return date.toTimeString().slice(0, 8);
}

/** `key=value` with the value compacted, or nothing for a detail field at info. */
function compact(key: string, value: unknown, detail: boolean): string | undefined {
  if (value === null) return `${key}=-`;
  if (typeof value === 'number') return numberField(key, value);
  if (typeof value === 'boolean') return `${key}=${value}`;
  if (typeof value === 'string') return `${key}=${quoted(value)}`;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return `${key}=${value.join(',')}`;
    return detail ? `${key}=${JSON.stringify(value)}` : undefined;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    // A small table of counts (servers by state) reads well inline; anything richer is detail.
    if (entries.every(([, v]) => typeof v === 'number'))
      return `${key}=${entries.map(([k, v]) => `${k}:${formatNumber(v as number)}`).join(',') || '-'}`;
    return detail ? `${key}=${JSON.stringify(value)}` : undefined;
  }
  return `${key}=${String(value)}`;
}

/** `…Ms` durations as `850ms`/`12.3s`/`4m05s`, `…AtMs`/`untilMs` instants as a clock time. */
function numberField(key: string, value: number): string {
  if (/(At|until)Ms$/i.test(key) || key === 'untilMs') return `${key.replace(/Ms$/, '')}=${clock(value)}`;
  if (key.endsWith('Ms')) return `${key.slice(0, -2)}=${duration(value)}`;
  return `${key}=${formatNumber(value)}`;
}

export function duration(ms: number): string {
  if (Math.abs(ms) < 1_000) return `${Math.round(ms)}ms`;
  if (Math.abs(ms) < 60_000) return `${Number((ms / 1_000).toPrecision(3))}s`;
  const totalSeconds = Math.round(ms / 1_000);
  const hours = Math.floor(totalSeconds / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  const seconds = String(totalSeconds % 60).padStart(2, '0');
  return hours > 0 ? `${hours}h${String(minutes).padStart(2, '0')}m` : `${minutes}m${seconds}s`;
}

export function formatNumber(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${Number((n / 1e9).toPrecision(3))}G`;
  if (abs >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((n / 1e3).toPrecision(3))}k`;
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(3)));
}

function quoted(text: string): string {
  return /[\s=]/.test(text) || text === '' ? JSON.stringify(text) : text;
}

function isErrorLike(value: unknown): value is { message: string; stack?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string' &&
    ('stack' in value || 'type' in value)
  );
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
