import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

/** `npm run chaos`: the full chaos run, which rewrites the figures in docs/reliability.md. */
export default defineConfig({
  test: {
    root: resolve(import.meta.dirname, '../..'),
    include: ['test/chaos/**/*.chaos.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // A stuck scenario fails at this bound; the figures of every finished run are still written.
    testTimeout: 540_000,
    // Three scenarios side by side keep a 2-core machine responsive enough for 3 s leases.
    maxConcurrency: 3,
    hookTimeout: 120_000,
  },
});
