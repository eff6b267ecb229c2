import { messageOf } from '../base/errors.ts';
import { didYouMean } from '../base/suggest.ts';
import { packageVersion } from '../base/version.ts';
import { ConfigError } from '../config/load.ts';
import { commands } from './commands.ts';
import { commandHelp, generalHelp } from './help.ts';
import { type CliIo, exitCode, processIo, UsageError } from './io.ts';
import { parseCommandLine } from './parse.ts';

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.out(generalHelp(commands));
    return name === undefined ? exitCode.usage : exitCode.ok;
  }
  if (name === 'help') return help(rest[0], io);
  if (name === '--version' || name === '-v') {
    io.out(packageVersion());
    return exitCode.ok;
  }
  const command = commands[name];
  if (command === undefined) return unknownCommand(name, io);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(command));
    return exitCode.ok;
  }
  try {
    return await command.run(parseCommandLine(name, command, rest), io);
  } catch (error) {
    // Errors go to stderr, so `--json | jq` never reads an error as data.
    if (error instanceof UsageError || error instanceof ConfigError) {
      const lines = error instanceof ConfigError ? error.problems : error.message.split('\n');
      for (const line of lines) io.err(`error: ${line}`);
      return exitCode.usage;
    }
    io.err(`error: ${messageOf(error)}`);
    return exitCode.failure;
  }
}

/** `help` alone, or `help <command>`: the same text as `--help`. */
function help(topic: string | undefined, io: CliIo): number {
  if (topic === undefined) {
    io.out(generalHelp(commands));
    return exitCode.ok;
  }
  const command = commands[topic];
  if (command === undefined) return unknownCommand(topic, io);
  io.out(commandHelp(command));
  return exitCode.ok;
}

function unknownCommand(name: string, io: CliIo): number {
  io.err(
    `error: unknown command "${name}"${didYouMean(name, Object.keys(commands))} ` +
      '(`bullmq-autoscaler help` lists them)',
  );
  return exitCode.usage;
}
