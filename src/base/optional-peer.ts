import { createRequire } from 'node:module';

/*
 * Optional peer dependencies: the app installs them only for the feature that needs them, so a
 * plain JavaScript setup carries none. Resolved from this package, as node
 * resolves its own imports, which finds the app's copy under npm, pnpm and yarn alike.
 */
export type OptionalPeer = 'tsx';

const requireHere = createRequire(import.meta.url);

/** The path of the app's copy of `name`, or undefined when it is not installed. */
export function findOptionalPeer(name: OptionalPeer): string | undefined {
  try {
    return requireHere.resolve(name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/** What to tell a user whose `feature` needs `name`: the package to install, and the command. */
export function missingPeerMessage(name: OptionalPeer, feature: string): string {
  return `${feature} needs the package ${name}, an optional peer dependency of bullmq-autoscaler that is not installed: run \`npm install ${name}\` in your app`;
}
