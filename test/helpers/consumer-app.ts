import { execFile } from 'node:child_process';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = resolve('.');

/**
 * The environment of a user's shell: ours without what `npm test` adds, which would point npm
 * (prefix, config) and command lookup back at this checkout: the npm_* variables, and the
 * node_modules/.bin folders npm puts first on PATH.
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  const path = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.endsWith(join('node_modules', '.bin')));
  return { ...env, PATH: path.join(delimiter), ...extra };
}

export async function npm(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('npm', args, { cwd, env: userEnv(), maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/**
 * `npm pack` of this checkout into a fresh folder outside it. The test setup has just built
 * dist/, and other test files are running it: --ignore-scripts keeps prepack from rebuilding it.
 * CONSUMER_TARBALL tests a given tarball instead (an older release, to see a defect caught).
 */
export async function packTarball(): Promise<{ tarball: string; remove(): Promise<void> }> {
  const given = process.env.CONSUMER_TARBALL;
  if (given) return { tarball: resolve(given), remove: async () => undefined };
  const dir = await mkdtemp(join(tmpdir(), 'bullmq-autoscaler-pack-'));
  const name = (await npm(REPO, ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir])).trim();
  return { tarball: join(dir, name), remove: () => rm(dir, { recursive: true, force: true }) };
}

export type ModuleStyle = 'commonjs' | 'module';

/** A user's new app (`npm init -y`), outside this repository, with the tarball and bullmq installed. */
export async function freshApp(style: ModuleStyle, tarball: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `bullmq-autoscaler-app-${style}-`));
  await npm(dir, ['init', '-y']);
  if (style === 'module') await npm(dir, ['pkg', 'set', 'type=module']);
  await npm(dir, ['install', '--no-audit', '--no-fund', tarball, 'bullmq']);
  return dir;
}

/** Bytes of every file under `dir` (symlinks counted as links), like `du --apparent-size -s`. */
export async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await treeBytes(path) : (await lstat(path)).size;
  }
  return total;
}
