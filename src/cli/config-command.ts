import { configJsonSchemaText } from '../config/json-schema.ts';
import { type CliIo, exitCode, UsageError } from './io.ts';

/** `config schema`: the JSON Schema of config files, for editors and CI checks. */
export async function configCommand(what: string, io: CliIo): Promise<number> {
  if (what !== 'schema') throw new UsageError(`config: unknown subcommand "${what}"; use \`config schema\``);
  io.out(configJsonSchemaText().trimEnd());
  return exitCode.ok;
}
