import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AwsEc2ProviderConfigInput,
  awsEc2ProviderSchema,
  createAwsEc2Provider,
} from '../../providers/aws-ec2/index.ts';
import { ownerTagOf, type Provider, poolTagOf, type ServerSpec } from '../../providers/provider.ts';
import { FakeEc2, type FakeEc2Options } from '../fakes/ec2-api.ts';
import { SHARED_TEMPLATE as DO_TEMPLATE } from './digitalocean-harness.ts';

/**
 * The SDK's default credential chain reads these first: the fake accepts any key, and the
 * metadata service is never asked (it is not there on a test machine).
 */
export function useFakeCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = 'AKIAFAKEFAKEFAKEFAKE';
  process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret-for-the-fake-ec2-api';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
}

/** DigitalOcean's test template, plus the line that turns on the worker's spot-notice watch. */
export const SHARED_TEMPLATE = DO_TEMPLATE.replace(
  /^EOF$/m,
  'AUTOSCALER_IMDS_WATCH={{AUTOSCALER_IMDS_WATCH}}\nEOF',
);

export interface Ec2World {
  fake: FakeEc2;
  template: string;
  config(overrides?: Partial<AwsEc2ProviderConfigInput>): ReturnType<typeof awsEc2ProviderSchema.parse>;
  provider(cluster: string, overrides?: Partial<AwsEc2ProviderConfigInput>): Promise<Provider>;
  close(): Promise<void>;
}

export async function startEc2World(
  options: FakeEc2Options = {},
  content = SHARED_TEMPLATE,
): Promise<Ec2World> {
  useFakeCredentials();
  const fake = await FakeEc2.withDefaults(options).start();
  const dir = await mkdtemp(join(tmpdir(), 'ec2-user-data-'));
  const template = join(dir, 'user-data.sh');
  await writeFile(template, content);
  const config = (overrides: Partial<AwsEc2ProviderConfigInput> = {}) =>
    awsEc2ProviderSchema.parse({
      type: 'aws-ec2',
      region: 'us-east-1',
      endpoint: fake.url,
      imageId: 'ami-0123456789abcdef0',
      instanceType: 't3.small',
      subnetIds: ['subnet-aaa', 'subnet-bbb'],
      securityGroupIds: ['sg-0a1b2c3d'],
      userDataFile: template,
      userDataVars: { EXTRA: "it's fine" },
      tags: { team: 'jobs' },
      subnetCoolOffMs: 60_000,
      ...overrides,
    });
  return {
    fake,
    template,
    config,
    provider: (cluster, overrides) => createAwsEc2Provider({ ...config(overrides), cluster }),
    close: async () => {
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function specs(cluster: string, count: number, type = 'default', pool = 'jobs'): ServerSpec[] {
  const stamp = Date.now().toString(36);
  return Array.from({ length: count }, (_, i) => ({
    serverId: `${pool}-${stamp}-${i}`,
    name: `${cluster}-${pool}-${stamp}-${i}`,
    pool,
    type,
    tags: [ownerTagOf(cluster), poolTagOf(pool)],
    env: { SERVER_ID: `${pool}-${stamp}-${i}`, POOL: pool, REDIS_URL: 'redis://10.0.0.5:6379' },
  }));
}
