// Compiles src/ and providers/ into dist/, which the package's bin and exports point at: the
// installed package runs on plain node, with no TypeScript loader. `npm pack` runs it (prepack), and
// so does the test setup, so tests never run a stale build. In a fresh checkout: `npm run build`.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleDotsSdk } from './bundle-dots.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
// TypeScript exports no bin path: find it next to its package.json, as npm's .bin link does.
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');

rmSync(`${root}dist`, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
// The compiler writes files 0644; `npx bullmq-autoscaler` in a checkout runs the bin file directly.
chmodSync(`${root}dist/src/cli/bin.js`, 0o755);
// Spawned by path, not imported: the compiler does not copy it.
cpSync(`${root}providers/local-process/boot.mjs`, `${root}dist/providers/local-process/boot.mjs`);
await bundleDotsSdk(root);
