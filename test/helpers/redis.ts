import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

export function redisUrl(): string {
  return inject('redisUrl');
}

/** A BullMQ prefix no other test uses, so tests never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `test-${label}-${randomBytes(4).toString('hex')}`;
}

export { deletePrefix } from '../../src/dev/delete-prefix.ts';

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
