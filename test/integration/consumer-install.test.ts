import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDigitalOcean } from '../fakes/digitalocean-api.ts';
import { freshApp, type ModuleStyle, packTarball, treeBytes, userEnv } from '../helpers/consumer-app.ts';
import { deletePrefix, redisUrl, uniquePrefix } from '../helpers/redis.ts';
import { SHARED_TEMPLATE } from '../providers/digitalocean-harness.ts';

/*
 * The package as a user gets it: packed, installed from the tarball into new CommonJS and ESM apps
 * outside this checkout with `npm install <tarball> bullmq` (no overrides, registry versions of
 * every dependency), then run on plain node. Inside the checkout the dev install hides what a user's
 * install resolves; this is the test that sees it (it found dots failing every list with the Kiota
 * release npm picked for users).
 */

const run = promisify(execFile);
/** Issue 13's install-weight goal for a fresh app: `npm i bullmq-autoscaler bullmq`. */
const MAX_NODE_MODULES_BYTES = 60_000_000;
const INSTALL_TIMEOUT_MS = 300_000;

let fake: FakeDigitalOcean;
let pack: Awaited<ReturnType<typeof packTarball>>;
const apps = new Map<ModuleStyle, string>();

beforeAll(async () => {
  fake = await new FakeDigitalOcean({ dropletLimit: 25 }).start();
  pack = await packTarball();
  // One after the other: two npm installs at once on a 2-core machine only slow each other.
  for (const style of ['commonjs', 'module'] as const) apps.set(style, await freshApp(style, pack.tarball));
}, INSTALL_TIMEOUT_MS);

afterAll(async () => {
  await fake?.close();
  await pack?.remove();
  for (const dir of apps.values()) await rm(dir, { recursive: true, force: true });
});

function appOf(style: ModuleStyle): string {
  const dir = apps.get(style);
  if (dir === undefined) throw new Error(`no ${style} app was installed`);
  return dir;
}

/** `npx bullmq-autoscaler …` in the app, as the README says; never throws, the exit code is the result. */
async function cli(app: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run('npx', ['--no-install', 'bullmq-autoscaler', ...args], {
      cwd: app,
      env: userEnv(env),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** How each app style loads the package: `require` in CommonJS, `import` in ESM. */
function load(style: ModuleStyle, specifier: string, names: string): string {
  return style === 'module'
    ? `import { ${names} } from '${specifier}';`
    : `const { ${names} } = require('${specifier}');`;
}

/** A plain-JS script, in the app's own module style, that loads the package and buys, lists and destroys one droplet. */
function cycleScript(style: ModuleStyle): string {
  return `${load(style, 'bullmq-autoscaler/providers/digitalocean', 'createDigitalOceanProvider, digitaloceanProviderSchema')}
${load(style, 'bullmq-autoscaler', 'Autoscaler')}
if (typeof Autoscaler !== 'function') throw new Error('bullmq-autoscaler exports no Autoscaler');
const config = digitaloceanProviderSchema.parse(JSON.parse(process.env.PROVIDER_CONFIG));
const provider = createDigitalOceanProvider({ ...config, cluster: 'consumer' });
const ownerTag = 'bullmq-autoscaler-consumer';
const spec = { serverId: 'main-1', name: 'consumer-main-1', pool: 'main', tags: [ownerTag], env: { POOL: 'main', REDIS_URL: 'redis://10.0.0.5:6379' } };
async function cycle() {
  const [created] = await provider.create([spec]);
  const listed = (await provider.list(ownerTag)).map((s) => s.providerId);
  await provider.destroy(created.providerId);
  const after = (await provider.list(ownerTag)).map((s) => s.providerId);
  console.log(JSON.stringify({ created: created.providerId, listed, after }));
}
cycle().then(
  () => process.exit(0),
  (error) => { console.error(error); process.exit(1); },
);
`;
}

/** A server's worker entry as a user writes it in plain JavaScript. */
function workerScript(style: ModuleStyle): string {
  return `${load(style, 'bullmq-autoscaler/worker', 'runServerWorker')}
runServerWorker({ processor: async (job) => job.data.n * 2 });
`;
}

function providerConfig(app: string) {
  return {
    type: 'digitalocean',
    apiUrl: fake.url,
    region: 'nyc3',
    size: 's-1vcpu-1gb',
    snapshot: 'worker-base',
    userDataFile: join(app, 'user-data.sh'),
  };
}

describe.each(['commonjs', 'module'] as const)('installed from the tarball into a fresh %s app', (style) => {
  it('installs no more than 60 MB of node_modules', async () => {
    const bytes = await treeBytes(join(appOf(style), 'node_modules'));
    console.log(`[consumer-install] ${style} app: node_modules ${(bytes / 1e6).toFixed(1)} MB`);
    expect(bytes).toBeLessThanOrEqual(MAX_NODE_MODULES_BYTES);
  });

  it('passes every doctor check against the DigitalOcean API', async () => {
    const app = appOf(style);
    await writeFile(join(app, 'user-data.sh'), SHARED_TEMPLATE);
    const config = {
      cluster: 'consumer',
      redis: { url: redisUrl(), bullmqPrefix: uniquePrefix('consumer-doctor') },
      provider: { ...providerConfig(app), userDataFile: './user-data.sh', userDataVars: { EXTRA: 'x' } },
      pools: [{ name: 'main', queues: ['jobs'], slotsPerServer: 2, maxServers: 3, targetWaitMs: 30_000 }],
    };
    await writeFile(join(app, 'autoscaler.json'), JSON.stringify(config));
    const result = await cli(app, ['doctor', '--config', 'autoscaler.json'], {
      DIGITALOCEAN_TOKEN: fake.token,
    });
    const lines = result.stdout.trim().split('\n');
    expect(
      lines.filter((line) => !line.startsWith('✓')),
      result.stderr,
    ).toEqual([]);
    expect(lines.map((line) => line.slice(2, line.indexOf(':')))).toEqual(
      expect.arrayContaining([
        'Redis',
        'DigitalOcean token',
        'DigitalOcean snapshot',
        'DigitalOcean size',
        'DigitalOcean droplet limit',
      ]),
    );
    expect(result.code).toBe(0);
  });

  it('creates, lists and destroys a droplet from a plain-JS script', async () => {
    const app = appOf(style);
    await writeFile(join(app, 'user-data.sh'), SHARED_TEMPLATE);
    await writeFile(join(app, 'cycle.js'), cycleScript(style));
    const { stdout } = await run(process.execPath, ['cycle.js'], {
      cwd: app,
      env: userEnv({
        DIGITALOCEAN_TOKEN: fake.token,
        PROVIDER_CONFIG: JSON.stringify({ ...providerConfig(app), userDataVars: { EXTRA: 'x' } }),
      }),
    });
    const { created, listed, after } = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<
      string,
      string | string[]
    >;
    expect(listed).toEqual([created]);
    expect(after).toEqual([]);
    expect(fake.droplets.has(Number(created))).toBe(false);
  });

  it('runs a plain-JS worker entry on plain node', async () => {
    const app = appOf(style);
    const prefix = uniquePrefix(`consumer-worker-${style}`);
    await writeFile(join(app, 'worker.js'), workerScript(style));
    const worker = spawn(process.execPath, ['worker.js'], {
      cwd: app,
      env: userEnv({
        REDIS_URL: redisUrl(),
        BULLMQ_PREFIX: prefix,
        AUTOSCALER_CLUSTER: 'consumer',
        SERVER_ID: 'main-1',
        SERVER_NAME: 'consumer-main-1',
        POOL: 'main',
        QUEUES: 'jobs',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    const queue = new Queue('jobs', { connection: { url: redisUrl() }, prefix });
    try {
      const job = await queue.add('double', { n: 21 });
      await expect
        .poll(async () => (await queue.getJob(job.id ?? ''))?.returnvalue, { timeout: 60_000 })
        .toBe(42);
      worker.kill('SIGTERM');
      expect(await exited, output).toBe(0);
    } finally {
      if (worker.exitCode === null) worker.kill('SIGKILL');
      await queue.close();
      await deletePrefix(redisUrl(), prefix);
    }
  });
});

describe('the installed package', () => {
  it('ships what a user needs and nothing of the checkout', async () => {
    const installed = join(appOf('commonjs'), 'node_modules', 'bullmq-autoscaler');
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
      exports: Record<string, Record<string, string>>;
      dependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    // npm 11 warns about install scripts; a user's install needs none.
    const installScripts = ['preinstall', 'install', 'postinstall', 'prepare'];
    expect(Object.keys(manifest.scripts ?? {}).filter((name) => installScripts.includes(name))).toEqual([]);
    expect(Object.values(manifest.exports).flatMap((conditions) => Object.keys(conditions))).not.toContain(
      'source',
    );
    const bundled = [
      '@digitalocean/dots',
      '@microsoft/kiota-http-fetchlibrary',
      '@microsoft/kiota-abstractions',
    ];
    expect(
      Object.keys(manifest.dependencies).filter((name) =>
        [...bundled, 'tsx', 'pino-pretty', '@aws-sdk/client-ec2'].includes(name),
      ),
    ).toEqual([]);
    // The EC2 SDK (43 MB) is installed only by users of the EC2 provider.
    expect(manifest.peerDependenciesMeta).toEqual({
      tsx: { optional: true },
      '@aws-sdk/client-ec2': { optional: true },
    });

    const shipped = (path: string) => existsSync(join(installed, path));
    expect(
      ['src', 'docs/charts', 'docs/status-page.png', 'docs/reliability-runs.json', 'examples/demo.ts'].filter(
        shipped,
      ),
    ).toEqual([]);
    expect(shipped('dist/providers/digitalocean/dots-sdk.js')).toBe(true);
    expect(
      await readFile(join(installed, 'dist/providers/digitalocean/dots-sdk.NOTICES.txt'), 'utf8'),
    ).toMatch(
      /@digitalocean\/dots [\d.]+ \(Apache-2\.0\)[\s\S]*@microsoft\/kiota-abstractions 1\.0\.0-preview\.102 \(MIT\)/,
    );
    const appModules = join(appOf('commonjs'), 'node_modules');
    expect(
      ['@digitalocean', '@microsoft', 'tsx', 'pino-pretty'].filter((name) =>
        existsSync(join(appModules, name)),
      ),
    ).toEqual([]);
  });
});

describe('optional peer dependencies, absent from a fresh app', () => {
  it('a TypeScript config or worker entry names tsx as the package to install', async () => {
    const app = appOf('module');
    await writeFile(join(app, 'autoscaler.config.ts'), 'export default {};\n');
    const tsConfig = await cli(app, ['eval', '--config', 'autoscaler.config.ts']);
    expect(tsConfig.code).toBe(2);
    expect(tsConfig.stderr).toMatch(/needs the package tsx.*npm install tsx/);

    await writeFile(join(app, 'worker.ts'), 'export {};\n');
    const config = {
      provider: { type: 'local-process', workerEntry: './worker.ts' },
      pools: [{ name: 'main', queues: ['jobs'], slotsPerServer: 1, maxServers: 1, targetWaitMs: 30_000 }],
    };
    await writeFile(join(app, 'local.json'), JSON.stringify(config));
    const tsWorker = await cli(app, ['eval', '--config', 'local.json'], { REDIS_URL: redisUrl() });
    expect(tsWorker.code).toBe(2);
    expect(tsWorker.stderr).toMatch(/provider\.workerEntry: .*needs the package tsx.*npm install tsx/);
  });

  it('pretty logs need no extra package: one readable line per event', async () => {
    const app = appOf('module');
    // By file path: the logger is internal, not an export; the CLI asks for pretty logs on a terminal.
    const script = `const { createLogger } = await import('./node_modules/bullmq-autoscaler/dist/src/base/log.js');
createLogger({ format: 'pretty' }).info({ event: 'decision', pool: 'main', desired: 2 }, 'scale up');`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: app,
      env: userEnv(),
    });
    expect(stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d {2}INFO {3}main {2}decision {2}scale up {2}desired=2$/),
    ]);
  });
});
