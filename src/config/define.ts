import type { AutoscalerConfigFile } from './config-file.ts';

/**
 * Typed helper for JS/TS config modules: `export default defineConfig({ ... })`; an editor shows
 * each option's meaning, range and default on hover. It lives in its own entry,
 * `bullmq-autoscaler/config`, with no runtime imports, so a config file loads nothing else — in
 * a CommonJS app tsx compiles a `.ts` config to `require()` calls, and requiring the whole
 * library from there fails ("Cannot require() ES Module … in a cycle").
 */
export function defineConfig(config: AutoscalerConfigFile): AutoscalerConfigFile {
  return config;
}

export type { AutoscalerConfigFile };
