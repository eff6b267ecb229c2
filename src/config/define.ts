import type { AutoscalerConfigInput } from './schema.ts';

/**
 * Typed helper for JS/TS config modules: `export default defineConfig({ ... })`. It lives in its own
 * entry, `bullmq-autoscaler/config`, with no runtime imports, so a config file loads nothing else
 * — in a CommonJS app tsx compiles a `.ts` config to `require()` calls, and requiring the whole
 * library from there fails ("Cannot require() ES Module … in a cycle").
 */
export function defineConfig(config: AutoscalerConfigInput): AutoscalerConfigInput {
  return config;
}

export type { AutoscalerConfigInput };
