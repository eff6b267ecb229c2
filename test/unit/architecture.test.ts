import { describe, expect, it } from 'vitest';
import { type ImportGraph, importCircles, readImportGraph } from '../helpers/import-graph.ts';

/**
 * The layer rules of docs/architecture.md, enforced. Each room names the rooms it may import;
 * anything else is a forbidden import. Lower layers never import higher ones, and nothing that
 * ships imports src/dev (test and demo support).
 */
/** What the scaler may import: every layer below it, and the concrete providers (lazily). */
const belowScaler = [
  'base',
  'core',
  'config',
  'sampler',
  'fleet',
  'worker',
  'provisioning',
  'reconciler',
  'provider-contract',
  'provider',
] as const;

const lower = {
  base: [],
  core: [],
  config: ['base', 'core', 'provider-config'],
  sampler: ['base', 'core'],
  fleet: ['base', 'core', 'config'],
  worker: ['base', 'core'],
  provisioning: ['base', 'core', 'config', 'fleet', 'provider-contract'],
  reconciler: ['base', 'core', 'config', 'fleet', 'provisioning', 'provider-contract'],
  scaler: belowScaler,
  // The read-only status page samples queues itself (no scaler in its process): sampler is below it.
  surfaces: ['base', 'core', 'config', 'fleet', 'sampler'],
  simulate: ['base', 'core', 'config'],
  index: ['base', 'core', 'config', 'fleet', 'scaler', 'surfaces', 'provider-contract'],
  cli: [...belowScaler, 'scaler', 'surfaces', 'simulate', 'index'],
  dev: ['base'],
  'provider-contract': [],
  'provider-config': [],
  provider: ['provider-contract'],
} as const satisfies Record<string, readonly string[]>;

type Room = keyof typeof lower;

/** The room a file lives in; undefined for a file no rule speaks of (a new top-level folder). */
function roomOf(file: string): Room | undefined {
  if (file === 'src/index.ts') return 'index';
  if (file === 'providers/provider.ts') return 'provider-contract';
  if (/^providers\/[^/]+\/config\.ts$/.test(file)) return 'provider-config';
  if (file.startsWith('providers/')) return 'provider';
  const folder = /^src\/([^/]+)\//.exec(file)?.[1];
  return folder !== undefined && folder in lower ? (folder as Room) : undefined;
}

/** Every import that breaks the rules, as "from -> to". */
function forbiddenImports(graph: ImportGraph): string[] {
  const broken: string[] = [];
  for (const [file, targets] of graph) {
    const from = roomOf(file);
    for (const target of targets) {
      const to = roomOf(target);
      if (from === undefined || to === undefined) {
        broken.push(`${file} -> ${target} (no rule for ${from === undefined ? file : target})`);
        continue;
      }
      // A provider's own files import each other; one provider never imports another.
      const sameProvider =
        from === 'provider' && to !== 'provider-contract' && providerOf(file) === providerOf(target);
      const allowed: readonly string[] = lower[from];
      if (from !== to && !allowed.includes(to) && !sameProvider) broken.push(`${file} -> ${target}`);
      if (from === 'provider' && to === 'provider' && !sameProvider) broken.push(`${file} -> ${target}`);
    }
  }
  return broken;
}

function providerOf(file: string): string | undefined {
  return /^providers\/([^/]+)\//.exec(file)?.[1];
}

const graph = readImportGraph(process.cwd(), ['src', 'providers']);

describe('architecture: the layer rules of docs/architecture.md', () => {
  it('reads a graph of the real tree', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/scaler/autoscaler.ts')).toContain('src/scaler/tick.ts');
  });

  it('has no forbidden import', () => {
    expect(forbiddenImports(graph)).toEqual([]);
  });

  it('has no import circle', () => {
    expect(importCircles(graph)).toEqual([]);
  });

  it('catches a planted upward import and a planted circle', () => {
    const planted: ImportGraph = new Map(graph);
    planted.set('src/fleet/drain.ts', [
      ...(graph.get('src/fleet/drain.ts') ?? []),
      'src/dev/ensure-redis.ts',
    ]);
    planted.set('src/core/upward.ts', ['src/scaler/autoscaler.ts']);
    planted.set('src/core/pins.ts', [...(graph.get('src/core/pins.ts') ?? []), 'src/core/planted.ts']);
    planted.set('src/core/planted.ts', ['src/core/pins.ts']);
    expect(forbiddenImports(planted)).toEqual([
      'src/fleet/drain.ts -> src/dev/ensure-redis.ts',
      'src/core/upward.ts -> src/scaler/autoscaler.ts',
    ]);
    expect(importCircles(planted)).toEqual([['src/core/pins.ts', 'src/core/planted.ts']]);
  });

  it('catches one provider importing another, and a file in a room no rule names', () => {
    const planted: ImportGraph = new Map([
      ['providers/digitalocean/index.ts', ['providers/local-process/index.ts', 'providers/provider.ts']],
      ['src/newroom/thing.ts', ['src/core/types.ts']],
    ]);
    expect(forbiddenImports(planted)).toEqual([
      'providers/digitalocean/index.ts -> providers/local-process/index.ts',
      'src/newroom/thing.ts -> src/core/types.ts (no rule for src/newroom/thing.ts)',
    ]);
  });
});
