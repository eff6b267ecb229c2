// Derives openapi.yaml here from DigitalOcean's whole OpenAPI document (a bundled single file):
// the paths of the resources the provider uses, and every component they reference, transitively.
//
//   npx tsx test/fakes/digitalocean-openapi/derive.ts [path of the whole document]
//
// The path defaults to ../shared/digitalocean/openapi.yaml beside the checkout.
//
// Re-run it when the source document is updated, and update SOURCE below and README.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const SOURCE = 'github digitalocean/openapi, commit 7c1300c (2026-08-07), bundled into one file';
/** /v2/<resource> and everything under it. */
const RESOURCES = ['droplets', 'snapshots', 'images', 'sizes', 'account', 'tags', 'actions'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Document = { [key: string]: Json } & {
  paths: Record<string, Record<string, Json>>;
  components: Record<string, Record<string, Json>>;
  tags?: { name: string }[];
};

/** Every local `$ref` target under `value`, as [kind, name] of `#/components/<kind>/<name>`. */
export function refsIn(value: unknown, found: [string, string][] = []): [string, string][] {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key !== '$ref' || typeof item !== 'string') refsIn(item, found);
      else {
        const match = /^#\/components\/([^/]+)\/(.+)$/.exec(item);
        if (match === null) throw new Error(`unsupported $ref ${item}: only #/components/... is handled`);
        found.push([
          match[1] ?? '',
          decodeURIComponent(match[2] ?? '')
            .replace(/~1/g, '/')
            .replace(/~0/g, '~'),
        ]);
      }
    }
  }
  return found;
}

export function derive(whole: Document): Document {
  const paths = Object.fromEntries(
    Object.entries(whole.paths).filter(([path]) => RESOURCES.includes(path.split('/')[2] ?? '')),
  );
  const components: Record<string, Record<string, Json>> = {
    // Not referenced by $ref but by name, from `security`.
    securitySchemes: whole.components.securitySchemes ?? {},
  };
  const pending = refsIn(paths);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [kind, name] = next;
    if (components[kind]?.[name] !== undefined) continue;
    const target = whole.components[kind]?.[name];
    if (target === undefined) throw new Error(`dangling $ref #/components/${kind}/${name}`);
    components[kind] = { ...components[kind], [name]: target };
    pending.push(...refsIn(target));
  }
  const usedTags = new Set(
    Object.values(paths).flatMap((operations) =>
      Object.values(operations).flatMap((op) =>
        typeof op === 'object' && op !== null && !Array.isArray(op) && Array.isArray(op.tags) ? op.tags : [],
      ),
    ),
  );
  const { 'x-tagGroups': _groups, tags, ...rest } = whole;
  return {
    ...rest,
    tags: (tags ?? []).filter((tag) => usedTags.has(tag.name)),
    paths,
    components,
  } as Document;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const source = resolve(process.argv[2] ?? resolve(here, '../../../../shared/digitalocean/openapi.yaml'));
  const subset = derive(parse(readFileSync(source, 'utf8'), { maxAliasCount: -1 }) as Document);
  const header =
    `# A subset of DigitalOcean's OpenAPI document: ${SOURCE}.\n` +
    `# Licensed under the Apache License 2.0 (see LICENSE beside this file). Derived by derive.ts\n` +
    `# (paths of ${RESOURCES.join(', ')}, and every component they reference); do not edit by hand.\n`;
  writeFileSync(
    resolve(here, 'openapi.yaml'),
    header + stringify(subset, { aliasDuplicateObjects: false, lineWidth: 0 }),
  );
  const counts = Object.entries(subset.components).map(
    ([kind, items]) => `${Object.keys(items).length} ${kind}`,
  );
  console.log(`${Object.keys(subset.paths).length} paths, ${counts.join(', ')}`);
}
