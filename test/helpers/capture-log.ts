import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/base/log.ts';

export interface LogLine {
  level: number;
  event?: string;
  msg?: string;
  [field: string]: unknown;
}

/** A real pino logger whose JSON lines are kept, parsed, for assertions on fields. */
export function captureLog(): { logger: Logger; lines: LogLine[]; events: (name: string) => LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  return { logger, lines, events: (name) => lines.filter((l) => l.event === name) };
}
