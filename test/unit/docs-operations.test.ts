import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.ts';
import { scalingEventNames } from '../../src/core/events.ts';

const operations = readFileSync('docs/operations.md', 'utf8');
const eventsSource = readFileSync('src/core/events.ts', 'utf8');

/** The rows of the table under a heading: first column and the rest, split. */
function tableUnder(heading: string): string[][] {
  const start = operations.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/operations.md has no "${heading}"`);
  const section = operations.slice(start + heading.length + 2).split(/\n#{2,3} /)[0] ?? '';
  return [...section.matchAll(/^\| `([^`]+)` \|(.*)\|$/gm)].map((m) => [
    m[1] ?? '',
    ...(m[2] ?? '').split('|'),
  ]);
}

/** Field names of one event as src/core/events.ts declares them (Pick<Decision, …> included). */
function fieldsInSource(name: string): string[] {
  const start = eventsSource.indexOf(`event: '${name}'`);
  const rest = eventsSource.slice(start);
  const end = rest.search(/\n {2}\| [({]|\n\nexport/);
  const variant = rest.slice(0, end < 0 ? undefined : end);
  const picked = [...(/Pick<[\s\S]*?>/.exec(variant)?.[0] ?? '').matchAll(/'(\w+)'/g)].map((m) => m[1] ?? '');
  const own = [...variant.replace(/Pick<[\s\S]*?>/, '').matchAll(/(\w+)\??:/g)].map((m) => m[1] ?? '');
  return [...own, ...picked].filter((f) => f !== 'event');
}

describe('docs/operations.md', () => {
  const events = tableUnder('### Events');

  it('lists exactly the event names of src/core/events.ts', () => {
    expect(events.map(([name]) => name).sort()).toEqual([...scalingEventNames].sort());
  });

  it.each(scalingEventNames)('documents the fields of %s', (name) => {
    const row = events.find(([n]) => n === name);
    const documented = [...(row?.[2] ?? '').matchAll(/`(\w+)`/g)].map((m) => m[1]);
    expect(documented.sort()).toEqual(fieldsInSource(name).sort());
  });

  it('documents every CLI command', () => {
    const documented = new Set(tableUnder('## CLI').map(([usage = '']) => usage.split(' ')[0]));
    for (const name of Object.keys(commands)) expect(documented).toContain(name);
  });
});
