import { describe, expect, it } from 'vitest';
import { captureLog } from '../helpers/capture-log.ts';

describe('log lines never carry a secret', () => {
  it('redacts secret fields, URL passwords in any field, error messages and stacks, and the message', () => {
    const { logger, lines } = captureLog();
    const url = 'redis://default:hunter2@10.0.0.5:6379';
    logger.warn(
      {
        event: 'tick.failed',
        error: `connect ECONNREFUSED ${url}`,
        err: new Error(`cannot reach ${url}`),
        provider: { token: 'dop_v1_abc', nested: { urls: [url] } },
        authorization: 'Bearer xyz',
      },
      `giving up on ${url}`,
    );
    logger.info('template %s', url);
    const [first, second] = lines;
    expect(first).toMatchObject({
      event: 'tick.failed',
      error: 'connect ECONNREFUSED redis://default:[redacted]@10.0.0.5:6379',
      provider: { token: '[redacted]', nested: { urls: ['redis://default:[redacted]@10.0.0.5:6379'] } },
      authorization: '[redacted]',
      msg: 'giving up on redis://default:[redacted]@10.0.0.5:6379',
    });
    expect(first?.err).toMatchObject({ message: 'cannot reach redis://default:[redacted]@10.0.0.5:6379' });
    expect(second?.msg).toBe('template redis://default:[redacted]@10.0.0.5:6379');
    expect(JSON.stringify(lines)).not.toMatch(/hunter2|dop_v1_abc|xyz/);
  });
});
