import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../src/config/load.ts';

const configFiles = readdirSync('examples')
  .filter((f) => /\.config\.(json|ya?ml|mjs|js|ts)$/.test(f))
  .map((f) => join('examples', f));

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownFiles(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  );
}

/** Every ```json block in the docs: a whole config, or a `"key": {…}` fragment of one. */
const docSnippets = markdownFiles('docs').flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/```json\n([\s\S]*?)```/g)].map((m, i) => ({
    name: `${file} json block ${i + 1}`,
    text: m[1] ?? '',
  })),
);

const minimal = {
  provider: { type: 'local-process', workerEntry: './worker.ts' },
  pools: [{ name: 'main', queues: ['jobs'] }],
};

describe('example configs', () => {
  it('the examples folder has JSON, YAML and TypeScript configs', () => {
    expect(configFiles.map((f) => f.replace(/.*\./, '')).sort()).toEqual(['json', 'ts', 'yaml']);
  });

  it.each(configFiles)('%s parses, with its paths resolved', async (file) => {
    const config = await loadConfigFile(file, {});
    expect(config.pools.length).toBeGreaterThan(0);
    const path =
      config.provider.type === 'local-process' ? config.provider.workerEntry : config.provider.userDataFile;
    expect(path.startsWith(resolve('examples'))).toBe(true);
  });

  it('the docs show examples/typed.config.ts verbatim', () => {
    expect(readFileSync('docs/configuration.md', 'utf8')).toContain(
      readFileSync('examples/typed.config.ts', 'utf8'),
    );
  });

  it('the docs hold JSON config snippets', () => {
    expect(docSnippets.length).toBeGreaterThan(0);
  });

  it.each(docSnippets)('$name is valid config', ({ text }) => {
    const body = text.trim();
    const parsed = JSON.parse(body.startsWith('{') ? body : `{${body}}`) as Record<string, unknown>;
    const config = parseConfig({ ...minimal, ...parsed }, {}, resolve('examples/snippet.json'));
    expect(Object.keys(parsed).every((key) => key in config)).toBe(true);
  });
});
