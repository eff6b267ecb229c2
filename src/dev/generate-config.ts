// `npm run generate:config`: writes the files generated from the config schema — the JSON Schema
// for editors and CI (docs/config.schema.json) and the documented TypeScript type defineConfig()
// takes (src/config/config-file.ts). Tests fail when either drifts from the schema.
import { writeFileSync } from 'node:fs';
import { configJsonSchemaText } from '../config/json-schema.ts';
import { configTypesText } from '../config/typescript-types.ts';

const root = new URL('../../', import.meta.url);
writeFileSync(new URL('docs/config.schema.json', root), configJsonSchemaText());
writeFileSync(new URL('src/config/config-file.ts', root), configTypesText());
