import { configJsonSchema } from './json-schema.ts';

/** The parts of a JSON Schema node the config schema uses. */
interface SchemaNode {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

/** zod writes "any safe integer" as these bounds: not worth a line in an editor's hover. */
const safeIntegerBound = Number.MAX_SAFE_INTEGER;

/**
 * The config file's TypeScript type with every option's description, default and range as JSDoc,
 * generated from the same JSON Schema (and so the same zod schema) the scaler validates with.
 * zod's inferred types carry no comments, so without this an editor's hover on a defineConfig()
 * option shows a bare type.
 */
export function configTypesText(): string {
  const root = configJsonSchema() as SchemaNode;
  return [
    '// Generated from the config schema by `npm run generate:config`; a test fails when it drifts.',
    '// Edit the .describe() texts in src/config/*schema*.ts, then regenerate.',
    '',
    '/** A bullmq-autoscaler config file, as `defineConfig()` takes it. Options with a default may be left out. */',
    `export interface AutoscalerConfigFile ${objectType(root, 0)}`,
    '',
  ].join('\n');
}

function typeOf(node: SchemaNode, depth: number): string {
  const union = node.oneOf ?? node.anyOf;
  if (union !== undefined) return union.map((option) => typeOf(option, depth)).join(' | ');
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum !== undefined) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  switch (node.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return node.items === undefined ? 'unknown[]' : `Array<${typeOf(node.items, depth)}>`;
    case 'object':
      if (node.properties === undefined && typeof node.additionalProperties === 'object')
        return `Record<string, ${typeOf(node.additionalProperties, depth)}>`;
      return objectType(node, depth);
    default:
      return 'unknown';
  }
}

function objectType(node: SchemaNode, depth: number): string {
  const indent = '  '.repeat(depth + 1);
  const required = new Set(node.required ?? []);
  const members = Object.entries(node.properties ?? {}).flatMap(([name, property]) => [
    ...docComment(property, indent),
    `${indent}${safeName(name)}${required.has(name) ? '' : '?'}: ${typeOf(property, depth + 1)};`,
  ]);
  return ['{', ...members, `${'  '.repeat(depth)}}`].join('\n');
}

function docComment(node: SchemaNode, indent: string): string[] {
  const lines: string[] = [];
  if (node.description !== undefined) lines.push(node.description);
  const range = rangeOf(node);
  if (range !== undefined) lines.push(range);
  if (node.default !== undefined) lines.push(`@default ${JSON.stringify(node.default)}`);
  if (lines.length === 0) return [];
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l.replaceAll('*/', '*\\/')}`), `${indent} */`];
}

function rangeOf(node: SchemaNode): string | undefined {
  const parts: string[] = [];
  if (node.exclusiveMinimum !== undefined) parts.push(`> ${node.exclusiveMinimum}`);
  if (node.minimum !== undefined && node.minimum > -safeIntegerBound) parts.push(`≥ ${node.minimum}`);
  if (node.maximum !== undefined && node.maximum < safeIntegerBound) parts.push(`≤ ${node.maximum}`);
  return parts.length === 0
    ? undefined
    : `Range: ${parts.join(', ')}${node.type === 'integer' ? ', whole numbers' : ''}.`;
}

function safeName(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}
