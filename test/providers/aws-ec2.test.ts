import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAwsEc2Doctor } from '../../providers/aws-ec2/index.ts';
import { ownerTagOf, ProviderError } from '../../providers/provider.ts';
import { type Ec2World, specs, startEc2World } from './aws-ec2-harness.ts';

let world: Ec2World;

beforeAll(async () => {
  world = await startEc2World();
});

afterEach(() => world.fake.clearFaults());

afterAll(async () => {
  await world?.close();
});

const live = (cluster: string) =>
  [...world.fake.instances.values()].filter(
    (i) => i.tags.get('bullmq-autoscaler:cluster') === cluster && i.state !== 'terminated',
  );
const isSpot = (p: URLSearchParams) => p.get('InstanceMarketOptions.MarketType') === 'spot';

describe('aws-ec2: buying exactly once', () => {
  it('an answer lost after RunInstances worked is retried with the same ClientToken and buys nothing twice', async () => {
    const provider = await world.provider('token');
    const before = world.fake.calls('RunInstances').length;
    world.fake.inject({ action: 'RunInstances', code: 'InternalError', status: 500, afterWork: true });
    const created = await provider.create(specs('token', 3));
    const calls = world.fake.calls('RunInstances').slice(before);
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((c) => c.get('ClientToken'))).size).toBe(1);
    expect([calls[0]?.get('MinCount'), calls[0]?.get('MaxCount')]).toEqual(['1', '3']);
    expect(live('token')).toHaveLength(3);
    expect(new Set(created.map((c) => c.providerId)).size).toBe(3);
    await provider.close();
  });

  it('a repeated create of the same servers adopts them: no second RunInstances', async () => {
    const provider = await world.provider('again');
    const wanted = specs('again', 2);
    const first = await provider.create(wanted);
    const before = world.fake.calls('RunInstances').length;
    const second = await provider.create(wanted);
    expect(world.fake.calls('RunInstances').length).toBe(before);
    expect(second).toEqual(first);
    expect(
      live('again')
        .map((i) => i.tags.get('Name'))
        .sort(),
    ).toEqual(wanted.map((s) => s.name).sort());
    await provider.close();
  });

  it('each instance carries its own Name and server id, and the ownership tag from launch on', async () => {
    const provider = await world.provider('names');
    const wanted = specs('names', 2);
    const created = await provider.create(wanted);
    for (const [i, c] of created.entries()) {
      const instance = world.fake.instances.get(c.providerId);
      expect(instance?.tags.get('Name')).toBe(wanted[i]?.name);
      expect(instance?.tags.get('bullmq-autoscaler:server-id')).toBe(wanted[i]?.serverId);
      expect(instance?.tags.get('team')).toBe('jobs');
    }
    const run = world.fake.calls('RunInstances').at(-1);
    expect(run?.get('TagSpecification.1.ResourceType')).toBe('instance');
    expect(run?.toString()).toContain('bullmq-autoscaler%3Acluster');
    expect(Buffer.from(run?.get('UserData') ?? '', 'base64').toString()).toContain(
      "EXTRA='it'\\''s fine'\nAUTOSCALER_IMDS_WATCH='1'",
    );
    await provider.close();
  });

  it('user_data over 16 KB is refused before anything is bought', async () => {
    const provider = await world.provider('big-script', { userDataVars: { EXTRA: 'x'.repeat(17_000) } });
    const before = world.fake.calls('RunInstances').length;
    await expect(provider.create(specs('big-script', 1))).rejects.toThrow(/16384-byte user_data limit/);
    expect(world.fake.calls('RunInstances').length).toBe(before);
    await provider.close();
  });
});

describe('aws-ec2: only our own instances', () => {
  it('lists only by the cluster tag, and refuses to list another tag', async () => {
    const stranger = world.fake.seed('someone-elses-db');
    const neighbour = world.fake.seed('other-cluster', { 'bullmq-autoscaler:cluster': 'other' });
    const provider = await world.provider('mine');
    const [mine] = await provider.create(specs('mine', 1));
    const listed = await provider.list(ownerTagOf('mine'));
    expect(listed.map((s) => s.providerId)).toEqual([mine?.providerId]);
    expect(listed[0]?.tags).toEqual(
      expect.arrayContaining([ownerTagOf('mine'), 'bullmq-autoscaler-pool-jobs']),
    );
    const describes = world.fake.calls('DescribeInstances').filter((p) => !p.has('InstanceId.1'));
    expect(describes.every((p) => p.get('Filter.1.Name') === 'tag:bullmq-autoscaler:cluster')).toBe(true);
    await expect(provider.list(ownerTagOf('other'))).rejects.toThrow(/refusing to list/);
    expect(await provider.get(stranger.instanceId)).toBeUndefined();
    expect(await provider.get(neighbour.instanceId)).toBeUndefined();
    await provider.close();
  });

  it('refuses to terminate an instance without our cluster tag, and never sends the call', async () => {
    const stranger = world.fake.seed('untagged-worker');
    const neighbour = world.fake.seed('their-worker', { 'bullmq-autoscaler:cluster': 'theirs' });
    const provider = await world.provider('careful');
    for (const victim of [stranger, neighbour]) {
      const error = await provider.destroy(victim.instanceId).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).message).toMatch(/refusing to terminate/);
      expect(victim.state).toBe('running');
    }
    const terminated = world.fake.calls('TerminateInstances').map((p) => p.get('InstanceId.1'));
    expect(terminated).not.toContain(stranger.instanceId);
    expect(terminated).not.toContain(neighbour.instanceId);
    await provider.close();
  });
});

describe('aws-ec2: capacity, spot and throttling', () => {
  it('spot-with-fallback: no spot capacity anywhere → on-demand in the first subnet, and create succeeds', async () => {
    const provider = await world.provider('fallback', { market: 'spot-with-fallback', maxAttempts: 1 });
    world.fake.inject({
      action: 'RunInstances',
      code: 'InsufficientInstanceCapacity',
      status: 500,
      times: 2,
      when: isSpot,
    });
    const created = await provider.create(specs('fallback', 2));
    const instances = created.map((c) => world.fake.instances.get(c.providerId));
    expect(instances.map((i) => [i?.market, i?.subnetId])).toEqual([
      ['on-demand', 'subnet-aaa'],
      ['on-demand', 'subnet-aaa'],
    ]);
    const markets = world.fake
      .calls('RunInstances')
      .slice(-3)
      .map((p) => `${isSpot(p) ? 'spot' : 'od'}/${p.get('SubnetId')}`);
    expect(markets).toEqual(['spot/subnet-aaa', 'spot/subnet-bbb', 'od/subnet-aaa']);
    await provider.close();
  });

  it('a spot price refusal skips spot in every subnet at once', async () => {
    const provider = await world.provider('price', { market: 'spot-with-fallback', maxAttempts: 1 });
    world.fake.inject({ action: 'RunInstances', code: 'SpotMaxPriceTooLow', status: 400, when: isSpot });
    const [created] = await provider.create(specs('price', 1));
    expect(world.fake.instances.get(created?.providerId ?? '')?.market).toBe('on-demand');
    expect(world.fake.calls('RunInstances').slice(-2).map(isSpot)).toEqual([true, false]);
    await provider.close();
  });

  it('on-demand without room in the first subnet goes to the next; with no room anywhere nothing is bought', async () => {
    const provider = await world.provider('zones', { maxAttempts: 1 });
    const noRoomIn = (subnet: string) => (p: URLSearchParams) => p.get('SubnetId') === subnet;
    world.fake.inject({
      action: 'RunInstances',
      code: 'InsufficientInstanceCapacity',
      status: 500,
      when: noRoomIn('subnet-aaa'),
    });
    const [created] = await provider.create(specs('zones', 1));
    expect(world.fake.instances.get(created?.providerId ?? '')?.subnetId).toBe('subnet-bbb');
    // subnet-aaa now cools off; subnet-bbb refuses too: a retryable error with a wait, nothing bought.
    world.fake.inject({
      action: 'RunInstances',
      code: 'InsufficientInstanceCapacity',
      status: 500,
      when: noRoomIn('subnet-bbb'),
    });
    const count = live('zones').length;
    const error = await provider.create(specs('zones', 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).retryable).toBe(true);
    expect((error as ProviderError).retryAfterMs).toBeGreaterThan(1_000);
    expect((error as ProviderError).message).toMatch(/no subnet has room/);
    expect(live('zones')).toHaveLength(count);
    await provider.close();
  });

  it('RequestLimitExceeded is retried by the SDK a bounded number of times, then surfaces', async () => {
    const provider = await world.provider('throttle', { maxAttempts: 3 });
    const calls = () => world.fake.calls('DescribeInstances').length;
    let before = calls();
    world.fake.inject({ action: 'DescribeInstances', code: 'RequestLimitExceeded', status: 503, times: 2 });
    await expect(provider.list(ownerTagOf('throttle'))).resolves.toEqual([]);
    expect(calls() - before).toBe(3);
    before = calls();
    world.fake.inject({ action: 'DescribeInstances', code: 'RequestLimitExceeded', status: 503, times: 50 });
    await expect(provider.list(ownerTagOf('throttle'))).rejects.toThrow(/RequestLimitExceeded/);
    expect(calls() - before).toBe(3);
    await provider.close();
  });
});

describe('aws-ec2: prices and the fake itself', () => {
  it('on-demand prices come from the table (overridable), spot prices from the spot price history', async () => {
    const provider = await world.provider('prices', {
      hourlyPricesUsd: { 'm6i.large': 0.12 },
      serverTypes: {
        spotty: { market: 'spot', instanceType: 'c6i.large' },
        pricey: { instanceType: 'm6i.large' },
      },
    });
    expect(await provider.serverHourlyPriceUsd?.('default')).toBe(0.0208);
    expect(await provider.serverHourlyPriceUsd?.('pricey')).toBe(0.12);
    expect(await provider.serverHourlyPriceUsd?.('spotty')).toBe(0.034);
    await provider.close();
  });

  it('the fake fails loudly, naming an action it does not implement', async () => {
    const client = new EC2Client({ region: 'us-east-1', endpoint: world.fake.url, maxAttempts: 1 });
    await expect(client.send(new DescribeVpcsCommand({}))).rejects.toThrow(
      /does not implement the action "DescribeVpcs"/,
    );
    client.destroy();
  });
});

describe('aws-ec2 doctor', () => {
  it('passes every check against a good setup, with a DryRun as the credentials check', async () => {
    const checks = await runAwsEc2Doctor({ ...world.config(), cluster: 'doctor' });
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.name)).toEqual([
      'AWS credentials',
      'EC2 AMI',
      'EC2 instance type',
      'EC2 subnets',
      'EC2 user_data',
    ]);
    expect(world.fake.calls('DescribeInstances').some((p) => p.get('DryRun') === 'true')).toBe(true);
  });

  it('names a missing AMI, an unknown instance type and a missing subnet, per server type', async () => {
    const config = world.config({
      serverTypes: {
        broken: { imageId: 'ami-0badbadbadbadbad0', instanceType: 'x9.huge', subnetIds: ['subnet-0dead'] },
      },
    });
    const checks = await runAwsEc2Doctor({ ...config, cluster: 'doctor' });
    const failed = checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    expect(failed).toEqual([
      expect.stringMatching(/^EC2 AMI \(type broken\): .*ami-0badbadbadbadbad0/),
      expect.stringMatching(/^EC2 instance type \(type broken\): instance type x9.huge is not offered/),
      expect.stringMatching(/^EC2 subnets \(type broken\): .*subnet-0dead/),
    ]);
  });
});
