import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PRISM_CLI = 'node_modules/@stoplight/prism-cli/dist/index.js';
/**
 * DigitalOcean's own contract: the vendored part the provider uses (digitalocean-openapi/, with its
 * source commit and licence), or wherever DIGITALOCEAN_OPENAPI points (the whole document).
 */
export const openApiDocument = resolve(
  REPO,
  process.env.DIGITALOCEAN_OPENAPI ?? 'test/fakes/digitalocean-openapi/openapi.yaml',
);
if (!existsSync(openApiDocument)) {
  throw new Error(`DigitalOcean's OpenAPI document is not at ${openApiDocument} (DIGITALOCEAN_OPENAPI)`);
}
const START_TIMEOUT_MS = 60_000;

export interface Prism {
  url: string;
  /** Prism's log lines that report a request or response breaking the OpenAPI document. */
  violations(): string[];
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no free port');
  return address.port;
}

function waitForListening(child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start:\n${output()}`)), START_TIMEOUT_MS);
    const check = () => {
      if (!output().includes('Prism is listening')) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited with ${code}:\n${output()}`));
    });
  });
}

/**
 * Starts `prism proxy` in front of `upstreamUrl` with --errors, so a request that breaks
 * DigitalOcean's OpenAPI document is answered 422 and a non-conforming answer of the fake
 * becomes a 500. It takes ~13 s and ~370 MB: start it once per test file.
 */
export async function startPrism(upstreamUrl: string): Promise<Prism> {
  const port = await freePort();
  const args = [
    PRISM_CLI,
    'proxy',
    openApiDocument,
    upstreamUrl,
    '--errors',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
  ];
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await waitForListening(child, () => output);
  return {
    url: `http://127.0.0.1:${port}`,
    violations: () => output.split('\n').filter((line) => /violation|✖/i.test(line)),
    log: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
