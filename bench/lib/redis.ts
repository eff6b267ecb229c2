import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
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

/** Deletes every key under the prefix: BullMQ's queues and the scaler's own state. */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

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
