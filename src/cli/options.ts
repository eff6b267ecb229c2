import type { CliIo } from './io.ts';

/** One command-line option: its type for the parser, and the line `--help` prints. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  help: string;
  /** Shown in `--help` and in "needs a value" errors, e.g. `file` → `--config <file>`. */
  valueName?: string;
}

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
  /** Each must run as written in bash and zsh: quote anything a shell would glob or expand. */
  examples: string[];
  options: Record<string, OptionSpec>;
  /** Names of the positional arguments, in order; each is required. */
  positionals?: string[];
  /** Lines printed under the options in `help <command>` (formats, environment). */
  notes?: string[];
  run: (input: CommandInput, io: CliIo) => Promise<number>;
}

export const configOption = {
  config: {
    type: 'string',
    short: 'c',
    valueName: 'file',
    help: 'config file: .json, .yaml, .yml, .js, .mjs or .ts',
  },
} as const satisfies Record<string, OptionSpec>;

export const jsonOption = {
  json: { type: 'boolean', short: 'j', help: 'print JSON instead of text (for jq and scripts)' },
} as const satisfies Record<string, OptionSpec>;

export const poolOption = {
  pool: { type: 'string', short: 'p', valueName: 'name', help: 'only this pool' },
} as const satisfies Record<string, OptionSpec>;

export function text(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}
