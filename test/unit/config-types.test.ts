import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AutoscalerConfigFile } from '../../src/config/config-file.ts';
import { defineConfig } from '../../src/config/define.ts';
import type { AutoscalerConfigInput } from '../../src/config/schema.ts';
import { configTypesText } from '../../src/config/typescript-types.ts';

describe('defineConfig() documents every option in an editor (issue 19 stumbles)', () => {
  it('src/config/config-file.ts is what the schema generates (npm run generate:config)', () => {
    expect(readFileSync('src/config/config-file.ts', 'utf8')).toBe(configTypesText());
  });

  it('every option carries its description, and its default when it has one', () => {
    const text = configTypesText();
    expect(text).toMatch(
      / {4}\/\*\*\n {5}\* Jobs should start within this long after they become ready\.\n {5}\* Range: ≥ 1, ≤ 604800000, whole numbers\.\n {5}\* @default 30000\n {5}\*\/\n {4}targetWaitMs\?: number;/,
    );
    expect(text).toMatch(
      /\* Hard cap on this pool’s servers, whatever the backlog\.[\s\S]*?@default 10\n\s*\*\/\n\s*maxServers\?: number;/,
    );
    // A member without a comment above it would hover bare: there is none.
    const lines = text.split('\n');
    const bare = lines.filter(
      (line, i) => /^\s+[\w$"]+\??: /.test(line) && !/\*\/$/.test(lines[i - 1] ?? ''),
    );
    expect(bare).toEqual([]);
  });

  it('is the same type the scaler parses, both ways', () => {
    expectTypeOf<AutoscalerConfigFile>().toExtend<AutoscalerConfigInput>();
    expectTypeOf<AutoscalerConfigInput>().toExtend<AutoscalerConfigFile>();
    const config = defineConfig({
      provider: { type: 'local-process', workerEntry: './w.ts' },
      pools: [{ name: 'a', queues: ['q'] }],
    });
    expect(config.pools[0]?.name).toBe('a');
  });
});
