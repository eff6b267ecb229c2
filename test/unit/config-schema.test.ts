import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, configJsonSchemaText } from '../../src/config/json-schema.ts';

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
}

/** Every option a config file can set, as docs name them: `pools[].minServers`, `provider.region`. */
function leafPaths(node: SchemaNode, path = ''): string[] {
  const variants = (node.anyOf ?? node.oneOf ?? []).filter((v) => v.properties !== undefined);
  if (variants.length > 0) return variants.flatMap((v) => leafPaths(v, path));
  if (node.properties !== undefined)
    return Object.entries(node.properties).flatMap(([key, child]) =>
      leafPaths(child, path === '' ? key : `${path}.${key}`),
    );
  if (node.type === 'array' && node.items?.properties !== undefined)
    return leafPaths(node.items, `${path}[]`);
  return [path];
}

function documentedPaths(markdown: string): string[] {
  return [...markdown.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] ?? '');
}

describe('config schema and its documentation', () => {
  // Compared as JSON, since biome formats the committed file: `config schema > docs/config.schema.json`.
  it('docs/config.schema.json is what `config schema` prints (regenerate it if this fails)', () => {
    expect(JSON.parse(readFileSync('docs/config.schema.json', 'utf8'))).toEqual(configJsonSchema());
    expect(JSON.parse(configJsonSchemaText())).toEqual(configJsonSchema());
  });

  it('docs/configuration.md documents exactly the options the schema has', () => {
    const inSchema = new Set(leafPaths(configJsonSchema() as SchemaNode));
    const inDocs = new Set(
      documentedPaths(readFileSync('docs/configuration.md', 'utf8')).filter(
        (p) => !/^[A-Z_]+$/.test(p) && !p.startsWith('.'),
      ),
    );
    expect([...inSchema].filter((p) => !inDocs.has(p))).toEqual([]);
    expect([...inDocs].filter((p) => !inSchema.has(p))).toEqual([]);
    expect(inSchema.size).toBeGreaterThan(40);
  });

  it('documents each option with a default or says it is required or unset', () => {
    const rows = readFileSync('docs/configuration.md', 'utf8').match(/^\| `[a-z$][^`]*` \|.*$/gm) ?? [];
    for (const row of rows) expect(row.split('|')[3]?.trim()).toMatch(/^(`.+`|\*\*required\*\*|unset)$/);
  });
});
