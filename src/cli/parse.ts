import { type ParseArgsConfig, parseArgs } from 'node:util';
import { closest } from '../base/suggest.ts';
import { UsageError } from './io.ts';
import type { Command, CommandInput, Flags } from './options.ts';

/**
 * The one command-line parser of every command. Node's `parseArgs` splits the arguments into
 * tokens (short flags, `--name=value`, `--` all handled there); this layer checks them against
 * the command's options itself, so every mistake reads the same way, names the option, and
 * suggests the closest one — instead of parseArgs' strict-mode messages ("argument is ambiguous").
 */
export function parseCommandLine(name: string, command: Command, argv: string[]): CommandInput {
  const { tokens } = parseArgs({ args: argv, options: tokenHints(command), strict: false, tokens: true });
  const flags: Flags = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    // parseArgs reports a known short flag under its long name, an unknown one as typed.
    const long = token.name;
    const spec = Object.hasOwn(command.options, long) ? command.options[long] : undefined;
    if (spec === undefined) throw unknownOption(name, command, token.rawName);
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`--${long}: takes no value (got "${token.value}")`);
      flags[long] = true;
      continue;
    }
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))
      throw new UsageError(
        `--${long}: needs a value, e.g. --${long} <${spec.valueName ?? 'value'}>` +
          (token.value === undefined ? '' : ` (it was followed by the option ${token.value})`),
      );
    flags[long] = token.value;
  }
  const expected = command.positionals ?? [];
  if (positionals.length !== expected.length) {
    const names = expected.map((p) => `<${p}>`).join(' ');
    throw new UsageError(
      expected.length === 0
        ? `${name}: takes no arguments, got "${positionals.join(' ')}"; usage: ${command.usage}`
        : `expected ${names}, got ${positionals.length} argument(s); usage: ${command.usage}`,
    );
  }
  return { flags, positionals, argv };
}

/** parseArgs needs the types to know which options take a value; validation is ours. */
function tokenHints(command: Command): ParseArgsConfig['options'] {
  return Object.fromEntries(
    Object.entries(command.options).map(([long, o]) =>
      o.short ? [long, { type: o.type, short: o.short }] : [long, { type: o.type }],
    ),
  );
}

function unknownOption(name: string, command: Command, raw: string): UsageError {
  const typed = raw.startsWith('--') ? (raw.split('=')[0] ?? raw) : raw;
  const guess = closest(typed.replace(/^-+/, ''), Object.keys(command.options));
  const hint = guess === undefined ? '' : `; did you mean --${guess}?`;
  return new UsageError(
    `${name}: unknown option ${typed}${hint} (\`bullmq-autoscaler help ${name}\` lists the options)`,
  );
}
