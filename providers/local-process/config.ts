import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/*
 * tsx is an optional peer dependency of bullmq-autoscaler: only a TypeScript worker entry needs
 * it. Checked when the config is read and when the provider is created, so a missing tsx is a
 * config error naming the package, not a failed server later.
 */

/** TypeScript files (.ts, .mts, .cts, .tsx) run through tsx's loader. */
export function runsThroughTsx(workerEntry: string): boolean {
  return /\.[cm]?tsx?$/.test(workerEntry);
}

/** The URL of the app's tsx loader, resolved from this package as node resolves our imports. */
export function tsxLoaderUrl(): string | undefined {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/** What is wrong with a worker entry that needs tsx when tsx is not installed; else undefined. */
export function tsxProblem(workerEntry: string): string | undefined {
  if (!runsThroughTsx(workerEntry) || tsxLoaderUrl() !== undefined) return undefined;
  return (
    `the TypeScript worker entry ${workerEntry} needs the package tsx, an optional peer dependency of ` +
    'bullmq-autoscaler that is not installed: run `npm install tsx` in your app, or point workerEntry at compiled JavaScript'
  );
}
