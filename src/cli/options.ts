/** One command-line option, as parseArgs takes it plus the line `--help` prints. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  help: string;
}

import type { CliIo } from './io.ts';

export type Flags = Record<string, string | boolean | undefined>;

export interface CommandInput {
  flags: Flags;
  positionals: string[];
  /** The arguments after the command name, as given. */
  argv: string[];
}

export interface Command {
  summary: string;
  usage: string;
  examples: string[];
  options: Record<string, OptionSpec>;
  /** Names of the positional arguments, in order; each is required. */
  positionals?: string[];
  /** Hands argv to the command untouched (it parses its own flags). */
  passthrough?: boolean;
  run: (input: CommandInput, io: CliIo) => Promise<number>;
}

export const configOption = {
  config: { type: 'string', short: 'c', help: 'config file: .json, .yaml, .yml, .js, .mjs or .ts' },
} as const;

export const jsonOption = { json: { type: 'boolean', help: 'print JSON instead of text' } } as const;

export function text(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}
