import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ec2World, startEc2World } from './aws-ec2-harness.ts';
import { runProviderContract } from './contract.ts';

let world: Ec2World;

beforeAll(async () => {
  world = await startEc2World();
});

afterAll(async () => {
  await world?.close();
});

runProviderContract('aws-ec2 (fake EC2 Query API)', async () => ({
  provider: await world.provider('contract', {
    serverTypes: { big: { instanceType: 'c6i.large', market: 'spot-with-fallback' } },
  }),
  cluster: 'contract',
  secondType: 'big',
  cleanup: async () => {},
}));

describe('aws-ec2 contract traffic', () => {
  it('used only actions the fake implements, and never failed on one', () => {
    const actions = new Set(world.fake.requests.map((r) => r.action));
    expect([...actions].sort()).toEqual([
      'CreateTags',
      'DescribeInstances',
      'RunInstances',
      'TerminateInstances',
    ]);
  });
});
