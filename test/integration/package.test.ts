import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { userEnv } from '../helpers/consumer-app.ts';

/*
 * The package as a user installs it: its bin and exports point at compiled JavaScript (built by
 * the test setup, as `npm run build` builds it), and plain node loads them with no TypeScript
 * loader. consumer-install.test.ts installs the packed tarball itself.
 */
const root = resolve('.');
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  bin: Record<string, string>;
  exports: Record<string, Record<string, string>>;
};
const consumer = mkdtempSync(join(tmpdir(), 'bullmq-autoscaler-consumer-'));

afterAll(() => rmSync(consumer, { recursive: true, force: true }));

/** Runs plain node in a project that depends on the package, without tsx or any loader. */
function plainNode(args: string[]): string {
  return execFileSync(process.execPath, args, {
    cwd: consumer,
    env: { PATH: process.env.PATH },
    encoding: 'utf8',
  });
}

describe('the installed package', () => {
  it('runs its bin with plain node', () => {
    const bin = pkg.bin['bullmq-autoscaler'] ?? '';
    expect(bin).toMatch(/^dist\/.*\.js$/);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    expect(plainNode([join(root, bin), '--version']).trim()).toBe(
      (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version,
    );
  });

  it('runs as `npx bullmq-autoscaler` in the checkout after a build, as the README says', () => {
    // npx runs the bin file itself, so it fails with "Permission denied" unless the build kept it executable.
    const help = execFileSync('npx', ['--no-install', 'bullmq-autoscaler', '--help'], {
      cwd: root,
      env: userEnv(),
      encoding: 'utf8',
    });
    expect(help).toMatch(/^usage: bullmq-autoscaler <command>/m);
  });

  it('resolves every export to JavaScript a plain node project can import', async () => {
    await mkdir(join(consumer, 'node_modules'), { recursive: true });
    symlinkSync(root, join(consumer, 'node_modules', 'bullmq-autoscaler'), 'dir');
    const imports = {
      'bullmq-autoscaler': ['Autoscaler', 'defineConfig'],
      'bullmq-autoscaler/config': ['defineConfig'],
      'bullmq-autoscaler/worker': ['runServerWorker'],
      'bullmq-autoscaler/providers/digitalocean': ['createDigitalOceanProvider'],
      'bullmq-autoscaler/providers/aws-ec2': ['createAwsEc2Provider', 'runAwsEc2Doctor'],
      'bullmq-autoscaler/providers/local-process': ['createLocalProcessProvider'],
    };
    for (const [specifier, names] of Object.entries(imports)) {
      const script = `const m = await import('${specifier}'); console.log(JSON.stringify(Object.keys(m)))`;
      const exported = JSON.parse(plainNode(['--input-type=module', '-e', script])) as string[];
      expect(exported, specifier).toEqual(expect.arrayContaining(names));
    }
    for (const target of Object.values(pkg.exports)) expect(target.default).toMatch(/^\.\/dist\/.*\.js$/);
  });

  it('typechecks its own exports against the sources dist/ is built from (tsconfig paths)', () => {
    // The package exports no `source` condition (src/ is not shipped): the checkout's examples and
    // tests resolve the package's name through tsconfig paths instead, which must follow the exports.
    const { paths } = (
      JSON.parse(readFileSync('tsconfig.json', 'utf8')) as {
        compilerOptions: { paths: Record<string, string[]> };
      }
    ).compilerOptions;
    const fromExports = Object.fromEntries(
      Object.entries(pkg.exports).map(([subpath, target]) => [
        join('bullmq-autoscaler', subpath),
        [(target.default ?? '').replace('./dist/', './').replace(/\.js$/, '.ts')],
      ]),
    );
    expect(paths).toEqual(fromExports);
  });

  it('loads a .ts config in a CommonJS app (no "type": "module"), as issue 19 found it failing', () => {
    // The consumer folder has no package.json of its own: Node and tsx treat its .ts as CommonJS.
    const config = join(consumer, 'autoscaler.config.ts');
    writeFileSync(
      config,
      [
        "import { defineConfig } from 'bullmq-autoscaler/config';",
        "export default defineConfig({ pools: [{ name: 'web', queues: ['jobs'], slotsPerServer: 2 }] });",
      ].join('\n'),
    );
    const bin = join(root, pkg.bin['bullmq-autoscaler'] ?? '');
    const report = JSON.parse(plainNode([bin, 'simulate', '-t', 'steady', '-c', config, '--json'])) as {
      pool: string;
    };
    expect(report.pool).toBe('web');
    // The main entry from a CommonJS .ts config still fails inside tsx; the error says what to do.
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace("'bullmq-autoscaler/config'", "'bullmq-autoscaler'"),
    );
    const failed = spawnSync(process.execPath, [bin, 'simulate', '-t', 'steady', '-c', config], {
      cwd: consumer,
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });
    expect(failed.status).toBe(2);
    expect(failed.stderr).toMatch(/import defineConfig from 'bullmq-autoscaler\/config'/);
  });
});
