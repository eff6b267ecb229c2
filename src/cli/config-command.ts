import { didYouMean } from '../base/suggest.ts';
import { configJsonSchemaText } from '../config/json-schema.ts';
import { configTypesText } from '../config/typescript-types.ts';
import { type CliIo, exitCode, UsageError } from './io.ts';

/** What `config <what>` prints, each generated from the one config schema. */
const outputs: Record<string, () => string> = {
  /** The JSON Schema of config files, for editors and CI checks. */
  schema: configJsonSchemaText,
  /** The documented TypeScript type of a config file (what defineConfig() takes). */
  types: configTypesText,
};

/** `config schema` / `config types`. */
export async function configCommand(what: string, io: CliIo): Promise<number> {
  const output = Object.hasOwn(outputs, what) ? outputs[what] : undefined;
  if (output === undefined)
    throw new UsageError(
      `config: unknown subcommand "${what}"${didYouMean(what, Object.keys(outputs))}; use \`config schema\` or \`config types\``,
    );
  io.out(output().trimEnd());
  return exitCode.ok;
}
