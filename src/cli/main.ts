import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { messageOf } from '../base/errors.ts';
import { commands } from './commands.ts';
import { commandHelp, generalHelp } from './help.ts';
import { type CliIo, exitCode, processIo, UsageError } from './io.ts';
import type { Command, CommandInput } from './options.ts';

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(generalHelp(commands));
    return name === undefined ? exitCode.usage : exitCode.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(version());
    return exitCode.ok;
  }
  const command = commands[name];
  if (command === undefined) {
    io.err(`unknown command "${name}"; run \`bullmq-autoscaler --help\` for the list`);
    return exitCode.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(command));
    return exitCode.ok;
  }
  try {
    return await command.run(parse(command, rest), io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      for (const line of (error as Error).message.split('\n')) io.err(`error: ${line}`);
      return exitCode.usage;
    }
    io.err(`error: ${messageOf(error)}`);
    return exitCode.failure;
  }
}

function parse(command: Command, argv: string[]): CommandInput {
  if (command.passthrough) return { flags: {}, positionals: [], argv };
  const options = Object.fromEntries(
    Object.entries(command.options).map(([k, o]) => [
      k,
      o.short ? { type: o.type, short: o.short } : { type: o.type },
    ]),
  );
  const expected = command.positionals ?? [];
  const { values, positionals } = parseArgs({
    args: argv,
    options,
    strict: true,
    allowPositionals: expected.length > 0,
  });
  if (positionals.length !== expected.length) {
    const names = expected.map((p) => `<${p}>`).join(' ');
    throw new UsageError(`expected ${names}, got ${positionals.length} argument(s); usage: ${command.usage}`);
  }
  return { flags: values, positionals, argv };
}

function isParseArgsError(error: unknown): boolean {
  return error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}

/** From the package's own package.json, found upwards: src/cli in a checkout, dist/src/cli when built. */
function version(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
    if (dirname(dir) === dir) return 'unknown';
  }
}
