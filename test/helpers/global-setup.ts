import 'vitest';
import type { TestProject } from 'vitest/node';
import { ensureRedis } from '../../src/dev/ensure-redis.ts';

/** One Redis for the whole run: the one at REDIS_URL, or a throwaway one when none answers. */
export default async function setup(project: TestProject) {
  const redis = await ensureRedis();
  project.provide('redisUrl', redis.url);
  if (redis.started) console.log(`[tests] no Redis at REDIS_URL, started a throwaway one at ${redis.url}`);
  return () => redis.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
