import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { redisUrl } from '../helpers/redis.ts';

const app = mkdtempSync(join(tmpdir(), 'doctor-worker-'));
afterAll(() => rmSync(app, { recursive: true, force: true }));
// A default npm app: no "type": "module", so tsx compiles its .ts files to CommonJS.
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0' }));

async function doctor(workerEntry: string) {
  const config = join(app, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      redis: { url: redisUrl() },
      provider: { type: 'local-process', workerEntry },
      pools: [{ name: 'main', queues: ['jobs'] }],
    }),
  );
  const out: string[] = [];
  const code = await main(['doctor', '-c', config], {
    out: (l) => out.push(l),
    err: (l) => out.push(l),
    env: {},
  });
  return { code, line: out.find((l) => l.includes('worker entry')) ?? '' };
}

describe('doctor loads the worker entry in a child process (issue 19 stumbles)', () => {
  it('passes an entry that loads and calls runServerWorker, without taking a job', async () => {
    const { code, line } = await doctor(resolve('examples/worker.ts'));
    expect(line).toMatch(/^✓ worker entry: .*examples\/worker\.ts loads and calls runServerWorker\(\)$/);
    expect(code).toBe(0);
  });

  it('fails a .ts entry with top-level await in a CommonJS app, quoting the real error', async () => {
    const entry = join(app, 'worker.ts');
    writeFileSync(entry, "await new Promise((r) => setTimeout(r, 1));\nconsole.log('never');\n");
    const { code, line } = await doctor(entry);
    expect(code).toBe(1);
    expect(line).toMatch(/^✗ worker entry: .*worker\.ts fails to load: exit code 1; last output: .*/);
    expect(line).toMatch(/top-level await/i);
  });

  it('fails an entry that loads but never starts a worker', async () => {
    const entry = join(app, 'idle.mjs');
    writeFileSync(entry, "console.log('loaded, but forgot runServerWorker');\n");
    const { code, line } = await doctor(entry);
    expect(code).toBe(1);
    expect(line).toMatch(/idle\.mjs exited without calling runServerWorker\(\)$/);
  });
});
