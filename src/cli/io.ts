/** Where a command writes; tests pass collectors, the binary passes the process streams. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/** Exit codes every command shares. */
export const exitCode = { ok: 0, failure: 1, usage: 2 } as const;

/** A mistake of the caller (flags, config, environment) rather than a failure at run time. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
