import { execFileSync } from 'node:child_process';
import 'vitest';
import type { TestProject } from 'vitest/node';
import { ensureRedis } from '../../src/dev/ensure-redis.ts';

/**
 * One Redis for the whole run: the one at REDIS_URL, or a throwaway one when none answers. And
 * a fresh build: tests run the CLI as users do, compiled (dist/), never a stale one.
 */
export default async function setup(project: TestProject) {
  execFileSync(process.execPath, ['src/dev/build.mjs'], { stdio: 'inherit' });
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
