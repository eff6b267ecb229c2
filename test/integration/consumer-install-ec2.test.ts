import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeEc2 } from '../fakes/ec2-api.ts';
import { freshApp, npm, packTarball, userEnv } from '../helpers/consumer-app.ts';
import { SHARED_TEMPLATE } from '../providers/aws-ec2-harness.ts';

/*
 * The EC2 provider as a user gets it: from the packed tarball in a fresh ESM app, first without
 * the optional @aws-sdk/client-ec2 (the provider must say how to install it), then with it.
 */
const run = promisify(execFile);
const INSTALL_TIMEOUT_MS = 300_000;

let fake: FakeEc2;
let pack: Awaited<ReturnType<typeof packTarball>>;
let app = '';

beforeAll(async () => {
  fake = await FakeEc2.withDefaults().start();
  pack = await packTarball();
  app = await freshApp('module', pack.tarball);
  await writeFile(join(app, 'user-data.sh'), SHARED_TEMPLATE);
  await writeFile(join(app, 'cycle.mjs'), CYCLE);
}, INSTALL_TIMEOUT_MS);

afterAll(async () => {
  await fake?.close();
  await pack?.remove();
  if (app !== '') await rm(app, { recursive: true, force: true });
});

/** Buys, lists and terminates one instance through the installed package, in plain JavaScript. */
const CYCLE = `import { awsEc2ProviderSchema, createAwsEc2Provider } from 'bullmq-autoscaler/providers/aws-ec2';
const config = awsEc2ProviderSchema.parse(JSON.parse(process.env.PROVIDER_CONFIG));
const provider = await createAwsEc2Provider({ ...config, cluster: 'consumer' });
const ownerTag = 'bullmq-autoscaler-consumer';
const spec = { serverId: 'main-1', name: 'consumer-main-1', pool: 'main', tags: [ownerTag], env: { POOL: 'main', REDIS_URL: 'redis://10.0.0.5:6379' } };
const [created] = await provider.create([spec]);
const listed = (await provider.list(ownerTag)).map((s) => s.providerId);
await provider.destroy(created.providerId);
const after = (await provider.list(ownerTag)).map((s) => s.providerId);
await provider.close();
console.log(JSON.stringify({ created: created.providerId, listed, after }));
`;

async function cycle(): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = userEnv({
    PROVIDER_CONFIG: JSON.stringify({
      type: 'aws-ec2',
      region: 'us-east-1',
      endpoint: fake.url,
      imageId: 'ami-0123456789abcdef0',
      instanceType: 't3.small',
      subnetIds: ['subnet-aaa'],
      userDataFile: join(app, 'user-data.sh'),
      userDataVars: { EXTRA: 'x' },
    }),
    AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret-for-the-fake-ec2-api',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  try {
    const { stdout, stderr } = await run(process.execPath, ['cycle.mjs'], { cwd: app, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('the EC2 provider installed from the tarball', () => {
  it('without @aws-sdk/client-ec2, fails at creation naming the install command, having bought nothing', async () => {
    const result = await cycle();
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/npm install @aws-sdk\/client-ec2/);
    expect(fake.calls('RunInstances')).toEqual([]);
  });

  it(
    'with it installed, buys, lists and terminates an instance through the fake EC2 API',
    async () => {
      await npm(app, ['install', '--no-audit', '--no-fund', '@aws-sdk/client-ec2']);
      const result = await cycle();
      expect(result.stderr).not.toMatch(/Error/);
      const { created, listed, after } = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(listed).toEqual([created]);
      expect(after).toEqual([]);
      expect(fake.instances.get(String(created))?.state).toBe('terminated');
    },
    INSTALL_TIMEOUT_MS,
  );
});
