import { describe, expect, it } from 'vitest';
import { spliceSection } from '../../bench/scaling/report.ts';
import { generate, generatorNames } from '../../src/simulate/generators.ts';
import { parseTrace } from '../../src/simulate/trace.ts';

const start = '<!-- scaling:start -->';
const end = '<!-- scaling:end -->';

describe('benchmark report section', () => {
  it('replaces only the text between its markers', () => {
    const doc = `# Benchmarks\n\n## Sampler\nkept\n\n${start}\nold\n${end}\n\n## Control plane\nkept too\n`;
    const next = spliceSection(doc, 'new', start, end);
    expect(next).toBe(
      `# Benchmarks\n\n## Sampler\nkept\n\n${start}\nnew\n${end}\n\n## Control plane\nkept too\n`,
    );
  });

  it('appends the marked section when the document has none yet', () => {
    expect(spliceSection('# Benchmarks\n', 'new', start, end)).toBe(
      `# Benchmarks\n\n${start}\nnew\n${end}\n`,
    );
  });
});

describe('trace generators', () => {
  it.each(generatorNames)('%s is deterministic, sorted, and survives a JSON-lines round trip', (name) => {
    const trace = generate(name, ['a', 'b', 'c', 'd']);
    expect(generate(name, ['a', 'b', 'c', 'd'])).toEqual(trace);
    expect(trace.jobs.length).toBeGreaterThan(300);
    expect(trace.jobs.every((j, i) => j.durationMs >= 0 && j.t >= (trace.jobs[i - 1]?.t ?? 0))).toBe(true);
    expect(parseTrace(name, trace.jobs.map((j) => JSON.stringify(j)).join('\n')).jobs).toEqual(trace.jobs);
  });

  it('names the line and field of a broken trace', () => {
    expect(() => parseTrace('x', '{"t":0,"queue":"q","durationMs":5}\n{"t":1,"queue":"q"}')).toThrow(
      'line 2: durationMs must be a number ≥ 0',
    );
  });
});
