import { z } from 'zod';
import { configSchema } from './schema.ts';

/**
 * The JSON Schema of a config file, from the same zod schema the scaler validates with, so editors
 * complete and check exactly what `start` accepts. Input form: fields with defaults are optional.
 */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://github.com/bullmq-autoscaler/bullmq-autoscaler/docs/config.schema.json',
    title: 'bullmq-autoscaler configuration',
  };
}

/** What `config schema` prints and docs/config.schema.json holds, byte for byte. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
