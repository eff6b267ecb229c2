import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.ts';
import { main } from '../../src/cli/main.ts';
import { generatorNames } from '../../src/simulate/generators.ts';

function collect() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {} }, out, err };
}

async function run(argv: string[]) {
  const c = collect();
  const code = await main(argv, c.io);
  return { code, out: c.out, err: c.err };
}

const dir = mkdtempSync(join(tmpdir(), 'cli-parser-'));
const configPath = join(dir, 'sim.yaml');
writeFileSync(configPath, 'pools:\n  - name: web\n    queues: [default]\n    slotsPerServer: 4\n');

describe('one parser for every command (issue 19 stumbles)', () => {
  it('simulate takes the -c its help lists, and -t for the trace', async () => {
    const r = await run(['simulate', '-t', 'steady', '-c', configPath, '--json']);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out[0] ?? '')).toMatchObject({ trace: 'steady', pool: 'web' });
  });

  it('simulate writes its errors to stderr, never to stdout where --json | jq reads', async () => {
    const r = await run(['simulate', '-c', configPath, '--json']);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err[0]).toBe('error: --trace is required');
  });

  it('an unknown generator names the ones there are instead of ENOENT', async () => {
    const r = await run(['simulate', '--trace', 'spiky', '-c', configPath]);
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe(
      `error: --trace: no generator or file named "spiky"; generators: ${generatorNames.join(', ')}`,
    );
    expect(r.err.join('\n')).not.toMatch(/ENOENT/);
  });

  it('a misspelt command gets a suggestion, on stderr, exit 2', async () => {
    const r = await run(['stat']);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err[0]).toMatch(/^error: unknown command "stat"; did you mean "status"\?/);
    expect((await run(['launch'])).err[0]).not.toMatch(/did you mean/);
  });

  it('a misspelt option gets a suggestion', async () => {
    const r = await run(['servers', '--histroy', 'main-1', '-c', 'x.json']);
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/^error: servers: unknown option --histroy; did you mean --history\?/);
    const short = await run(['status', '-x']);
    expect(short.err[0]).toMatch(/unknown option -x/);
  });

  it('an option missing its value says so, not "argument is ambiguous"', async () => {
    const r = await run(['servers', '--history', '-c', 'x.json']);
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe(
      'error: --history: needs a value, e.g. --history <server-id> (it was followed by the option -c)',
    );
    const last = await run(['servers', '-c', 'x.json', '--history']);
    expect(last.err[0]).toBe('error: --history: needs a value, e.g. --history <server-id>');
    const inline = await run(['status', '--json=yes']);
    expect(inline.err[0]).toBe('error: --json: takes no value (got "yes")');
  });

  it('help <command> prints that command’s help, the same as --help', async () => {
    for (const name of Object.keys(commands)) {
      const viaHelp = await run(['help', name]);
      const viaFlag = await run([name, '--help']);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.out).toEqual(viaFlag.out);
      expect(viaHelp.out[0]).toMatch(new RegExp(`^usage: bullmq-autoscaler ${name}`));
    }
    const wrong = await run(['help', 'stat']);
    expect(wrong.code).toBe(2);
    expect(wrong.err[0]).toMatch(/did you mean "status"/);
  });

  it('every command whose output is data takes --json, eval included', () => {
    const data = ['status', 'servers', 'eval', 'simulate', 'doctor', 'down'];
    for (const name of data) expect(commands[name]?.options, name).toHaveProperty('json');
  });

  it('simulate --help shows the JSON-lines trace format, not a CSV', async () => {
    const r = await run(['help', 'simulate']);
    const help = r.out.join('\n');
    expect(help).not.toMatch(/\.csv/);
    expect(help).toMatch(/one JSON object per line/);
    expect(help).toContain('{"t": 0, "queue": "emails", "durationMs": 1200}');
    for (const name of generatorNames) expect(help).toContain(name);
  });
});

describe('help examples run as written in bash and zsh', () => {
  // zsh treats an unquoted [ ] * ? as a glob and fails with "no matches found"; bash passes it on
  // only by luck. Every example must quote such arguments.
  const examples = Object.values(commands).flatMap((c) => c.examples);

  it.each(examples)('%s', (example) => {
    for (const word of shellWords(example)) {
      if (word.quoted) continue;
      expect(word.text, `unquoted glob character in ${JSON.stringify(word.text)}`).not.toMatch(/[[\]*?{}]/);
    }
  });

  it('the words split as a shell splits them (a planted unquoted jq filter is caught)', () => {
    expect(shellWords("jq '.pools[0]'").map((w) => w.quoted)).toEqual([false, true]);
    const planted = shellWords('eval -c a.json | jq .pools[0].reason');
    expect(planted.some((w) => !w.quoted && /[[\]]/.test(w.text))).toBe(true);
  });
});

/** Splits a command line into words the way bash and zsh do for quoting purposes. */
function shellWords(line: string): { text: string; quoted: boolean }[] {
  const words: { text: string; quoted: boolean }[] = [];
  for (const match of line.matchAll(/'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'"]+/g)) {
    const text = match[0];
    words.push({ text, quoted: text.startsWith("'") || text.startsWith('"') });
  }
  return words;
}
