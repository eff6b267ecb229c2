import { randomBytes } from 'node:crypto';
import { ensureRedis, type RedisHandle } from '../../src/dev/ensure-redis.ts';

export type { RedisHandle };

/** The Redis every benchmark uses: $REDIS_URL, else 127.0.0.1:6379, else a throwaway redis-server. */
export function benchRedis(): Promise<RedisHandle> {
  return ensureRedis();
}

/** A key prefix no one else uses, so a benchmark never reads another run's (or a test's) keys. */
export function benchPrefix(label: string): string {
  return `bench-${label}-${randomBytes(4).toString('hex')}`;
}

export { deletePrefix } from '../../src/dev/delete-prefix.ts';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `probe` holds; gives up after `timeoutMs` so a broken run ends instead of hanging. */
export async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
