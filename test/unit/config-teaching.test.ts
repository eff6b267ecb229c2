import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { ConfigError, loadConfigFile, parseConfig } from '../../src/config/load.ts';

const workerEntry = resolve('examples/worker.ts');
const userDataFile = resolve('examples/digitalocean-user-data.sh');
const droplets = { type: 'digitalocean', region: 'fra1', size: 's-1vcpu-1gb', snapshot: 7, userDataFile };

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

async function fileProblems(name: string, text: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'config-teaching-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  try {
    await loadConfigFile(path, {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('config errors that teach (issue 19 stumbles)', () => {
  it('suggests the real name of a misspelt option, whatever its case', () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          provider: { type: 'local-process', workerEntry },
          pools: [{ name: 'main', queues: ['jobs'], targetWaitMS: 5000, maxServer: 3 }],
        },
        {},
      ),
    );
    expect(problems).toEqual([
      'pools[0].targetWaitMS: unknown option; did you mean "targetWaitMs"?',
      'pools[0].maxServer: unknown option; did you mean "maxServers"?',
    ]);
  });

  it('offers nothing when no option is close, rather than a misleading guess', () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          provider: { type: 'local-process', workerEntry },
          pools: [{ name: 'a', queues: ['q'], colour: 1 }],
        },
        {},
      ),
    );
    expect(problems).toEqual([
      'pools[0].colour: unknown option (check the spelling; see docs/configuration.md)',
    ]);
  });

  it('points provider.token to tokenEnv', () => {
    const problems = problemsOf(() =>
      parseConfig(
        { provider: { ...droplets, token: 'dop_v1_secret' }, pools: [{ name: 'a', queues: ['q'] }] },
        {},
      ),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^provider\.token: unknown option: the API token never goes in the config/);
    expect(problems[0]).toMatch(/tokenEnv \(default DIGITALOCEAN_TOKEN\)/);
    expect(problems[0]).not.toContain('dop_v1_secret');
  });

  it('reports a missing workerEntry together with the other problems', () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          tickMs: 5,
          provider: { type: 'local-process', workerEntry: 'nope/worker.ts' },
          pools: [{ name: 'a', queues: ['q'] }],
        },
        {},
        '/tmp/app/autoscaler.config.json',
      ),
    );
    expect(problems).toEqual([
      'tickMs: must be ≥ 100 (got 5)',
      'provider.workerEntry: file not found: /tmp/app/nope/worker.ts (give the path of your worker script)',
    ]);
  });

  it('reports a missing userDataFile together with the other problems', () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          provider: { ...droplets, userDataFile: 'missing.sh' },
          pools: [{ name: 'a', queues: ['q'], minServers: -1 }],
        },
        {},
        '/tmp/app/autoscaler.config.json',
      ),
    );
    expect(problems).toEqual([
      'pools[0].minServers: must be ≥ 0 (got -1)',
      'provider.userDataFile: file not found: /tmp/app/missing.sh (give the path of your user_data template)',
    ]);
  });

  it('gives line and column of a JSON syntax error, not a character position', async () => {
    const problems = await fileProblems(
      'a.json',
      '{\n  "tickMs": 1000,\n  "pools": []\n  "cluster": "x"\n}\n',
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^--config .*a\.json: invalid JSON at line 4, column 3: Expected ',' or '}' after property value$/,
    );
    expect(problems[0]).not.toMatch(/position/);
  });

  it('gives line and column of a YAML syntax error, without the code excerpt', async () => {
    const problems = await fileProblems('a.yaml', 'pools:\n  - name: a\n     queues: [x]\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/invalid YAML: .* at line 2, column \d+$/);
  });

  it('the CLI prints each problem as its own error line on stderr, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-teaching-'));
    const path = join(dir, 'c.json');
    writeFileSync(
      path,
      JSON.stringify({
        provider: { type: 'local-process', workerEntry: 'gone.ts' },
        tickMs: 5,
        pools: [{ name: 'a', queues: ['q'] }],
      }),
    );
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['status', '-c', path], {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env: {},
    });
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([
      'error: tickMs: must be ≥ 100 (got 5)',
      `error: provider.workerEntry: file not found: ${join(dir, 'gone.ts')} (give the path of your worker script)`,
    ]);
  });

  it('HTTP_HOST sets http.host, so a container can bind 0.0.0.0', () => {
    const raw = { provider: { type: 'local-process', workerEntry }, pools: [{ name: 'a', queues: ['q'] }] };
    expect(parseConfig(raw, {}).http.host).toBe('127.0.0.1');
    expect(parseConfig(raw, { HTTP_HOST: '0.0.0.0', HTTP_PORT: '9464' }).http).toEqual({
      host: '0.0.0.0',
      port: 9464,
    });
  });
});
