import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogFormat } from '../../src/base/log.ts';
import { duration, formatNumber } from '../../src/base/log-pretty.ts';
import { main } from '../../src/cli/main.ts';
import { parseConfig } from '../../src/config/load.ts';

/** A logger writing into an array of output chunks, as a terminal would receive them. */
function terminal(format: LogFormat, level = 'info') {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level, format, destination });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l !== '');
  return { logger, lines };
}

/** `12:04:31  INFO   emails  decision  …` → its columns, split on the two-space separator. */
function columns(line: string): string[] {
  return line.split(/ {2,}/);
}

const decision = {
  event: 'decision',
  pool: 'emails',
  backlog: 12_345,
  oldestWaitMs: 12_345,
  activeJobs: 8,
  desired: 5,
  current: 3,
  reason: 'scale up 3 → 5: backlog 12345 jobs',
  terms: { steady: 3, drain: 2, busy: 1, raw: 5 },
};

describe('pretty logs: one line per event (issue 19 stumbles)', () => {
  it('puts the pool first, says the reason once and compacts the numbers', () => {
    const { logger, lines } = terminal('pretty');
    logger.info(decision, decision.reason);
    expect(lines()).toHaveLength(1);
    const [time, level, pool, event, message, ...fields] = columns(lines()[0] ?? '');
    expect(time).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(level?.trim()).toBe('INFO');
    expect(pool).toBe('emails');
    expect(event).toBe('decision');
    expect(message).toBe(decision.reason);
    expect(fields).toEqual(['backlog=12.3k', 'oldestWait=12.3s', 'activeJobs=8', 'desired=5', 'current=3']);
    expect(lines()[0]?.split(decision.reason)).toHaveLength(2);
  });

  it('shows the detail (terms, stacks) at debug only', () => {
    const debug = terminal('pretty', 'debug');
    debug.logger.info(decision, decision.reason);
    debug.logger.warn({ event: 'tick.failed', err: new Error('boom') }, 'tick failed');
    expect(debug.lines()[0]).toContain('terms=steady:3,drain:2,busy:1,raw:5');
    expect(debug.lines().slice(2).join('\n')).toMatch(/^ {4}Error: boom\n {8}at /);
    const info = terminal('pretty');
    info.logger.warn({ event: 'tick.failed', err: new Error('boom') }, 'tick failed');
    expect(info.lines()).toHaveLength(1);
    expect(columns(info.lines()[0] ?? '')).toEqual([
      expect.any(String),
      'WARN',
      'tick.failed',
      'tick failed',
      'err=boom',
    ]);
  });

  it('a scale-down of 10 servers takes 40 lines, one per event, not hundreds', () => {
    const { logger, lines } = terminal('pretty');
    for (let i = 1; i <= 10; i++) {
      const serverId = `emails-${i}`;
      logger.info(
        { event: 'server.draining', pool: 'emails', serverId, reason: 'scale down 10 → 0' },
        'scale down 10 → 0',
      );
      logger.info({ event: 'server.drained', pool: 'emails', serverId, drainMs: 4_200 }, 'server.drained');
      logger.info({ event: 'server.deleting', pool: 'emails', serverId, reason: 'drained' }, 'drained');
      logger.info(
        { event: 'server.deleted', pool: 'emails', serverId, lifetimeMs: 3_725_000 },
        'server.deleted',
      );
    }
    expect(lines()).toHaveLength(40);
    expect(columns(lines()[1] ?? '').slice(2)).toEqual([
      'emails',
      'server.drained',
      'serverId=emails-1',
      'drain=4.2s',
    ]);
    expect(columns(lines()[3] ?? '').slice(2)).toEqual([
      'emails',
      'server.deleted',
      'serverId=emails-1',
      'lifetime=1h02m',
    ]);
  });

  it('writes JSON lines when asked, whatever the output is', () => {
    const { logger, lines } = terminal('json');
    logger.info(decision, decision.reason);
    const record = JSON.parse(lines()[0] ?? '') as Record<string, unknown>;
    expect(record).toMatchObject({
      event: 'decision',
      pool: 'emails',
      backlog: 12_345,
      msg: decision.reason,
    });
  });

  it('still redacts secrets in pretty lines', () => {
    const { logger, lines } = terminal('pretty');
    logger.warn(
      { event: 'sample.failed', error: 'connect redis://u:hunter2@h:6379 failed', token: 'abc' },
      'x',
    );
    expect(lines()[0]).not.toMatch(/hunter2|abc/);
  });

  it('compacts numbers and durations', () => {
    expect([formatNumber(950), formatNumber(12_345), formatNumber(2_500_000), formatNumber(0.12345)]).toEqual(
      ['950', '12.3k', '2.5M', '0.123'],
    );
    expect([duration(850), duration(12_345), duration(245_000), duration(3_725_000)]).toEqual([
      '850ms',
      '12.3s',
      '4m05s',
      '1h02m',
    ]);
  });
});

describe('choosing the log format', () => {
  it('LOG_FORMAT sets log.format; a bad value is a config error naming the field', () => {
    const base = {
      provider: { type: 'local-process', workerEntry: 'examples/worker.ts' },
      pools: [{ name: 'a', queues: ['q'] }],
    };
    expect(parseConfig(base, { LOG_FORMAT: 'json' }).log.format).toBe('json');
    expect(parseConfig(base, {}).log.format).toBe('auto');
    expect(() => parseConfig(base, { LOG_FORMAT: 'xml' })).toThrow(
      /log\.format: must be one of "auto", "json", "pretty"/,
    );
  });

  it('start --log-format takes json or pretty and refuses anything else before touching anything', async () => {
    const err: string[] = [];
    const code = await main(['start', '--log-format', 'xml', '-c', 'nowhere.json'], {
      out: () => {},
      err: (l) => err.push(l),
      env: {},
    });
    expect(code).toBe(2);
    expect(err).toEqual(['error: --log-format: use auto, json, pretty (got "xml")']);
  });
});
