import type * as Sdk from '@aws-sdk/client-ec2';
import { ProviderError } from '../provider.ts';

/** What this provider asks of EC2, in its own terms; the SDK stays behind this file. */
export interface Ec2Instance {
  instanceId: string;
  state: string;
  launchedAtMs: number;
  zone: string | undefined;
  launchIndex: number;
  tags: Record<string, string>;
}

export interface LaunchRequest {
  imageId: string | undefined;
  launchTemplateId: string | undefined;
  instanceType: string | undefined;
  subnetId: string;
  securityGroupIds: string[];
  count: number;
  clientToken: string;
  spot: boolean;
  spotMaxPriceUsd: number | undefined;
  userDataBase64: string;
  tags: Record<string, string>;
}

export interface Ec2Api {
  runInstances(request: LaunchRequest): Promise<Ec2Instance[]>;
  /** Every instance matching all filters (`tag:Key` → values), across all pages. */
  describeInstances(filters: Record<string, string[]>): Promise<Ec2Instance[]>;
  /** undefined when EC2 does not know the id. */
  describeInstance(instanceId: string): Promise<Ec2Instance | undefined>;
  terminate(instanceId: string): Promise<void>;
  createTags(instanceId: string, tags: Record<string, string>): Promise<void>;
  /** The highest current spot price (USD/h) across the zones EC2 reports, undefined if none. */
  spotPriceUsd(instanceType: string): Promise<number | undefined>;
  describeImages(imageIds: string[]): Promise<string[]>;
  describeInstanceTypes(types: string[]): Promise<string[]>;
  describeSubnets(subnetIds: string[]): Promise<{ subnetId: string; zone: string }[]>;
  /** Whether the credentials may call DescribeInstances (a DryRun: EC2 answers DryRunOperation). */
  dryRunDescribe(): Promise<void>;
  close(): void;
}

export interface ClientSettings {
  region: string;
  endpoint: string | undefined;
  maxAttempts: number;
}

const SDK_MISSING =
  'the aws-ec2 provider needs the AWS SDK for EC2, an optional dependency: run `npm install @aws-sdk/client-ec2`';

/** Imports the SDK only when an EC2 provider is made, so users of other clouds never load it. */
export async function loadEc2Api(settings: ClientSettings): Promise<Ec2Api> {
  let sdk: typeof Sdk;
  try {
    sdk = await import('@aws-sdk/client-ec2');
  } catch (error) {
    throw new ProviderError(SDK_MISSING, { retryable: false, cause: error });
  }
  return new SdkEc2Api(sdk, settings);
}

/**
 * Over the SDK's client with its adaptive retry mode: throttling (RequestLimitExceeded) slows
 * this client's own send rate instead of retrying in a storm, within `maxAttempts` tries.
 */
class SdkEc2Api implements Ec2Api {
  private readonly client: Sdk.EC2Client;

  constructor(
    private readonly sdk: typeof Sdk,
    settings: ClientSettings,
  ) {
    this.client = new sdk.EC2Client({
      region: settings.region,
      ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
      maxAttempts: settings.maxAttempts,
      retryMode: 'adaptive',
    });
  }

  async runInstances(r: LaunchRequest): Promise<Ec2Instance[]> {
    const out = await this.call(() =>
      this.client.send(
        new this.sdk.RunInstancesCommand({
          MinCount: 1,
          MaxCount: r.count,
          ClientToken: r.clientToken,
          ImageId: r.imageId,
          InstanceType: r.instanceType as Sdk._InstanceType | undefined,
          ...(r.launchTemplateId === undefined
            ? {}
            : { LaunchTemplate: { LaunchTemplateId: r.launchTemplateId } }),
          SubnetId: r.subnetId,
          ...(r.securityGroupIds.length === 0 ? {} : { SecurityGroupIds: r.securityGroupIds }),
          UserData: r.userDataBase64,
          ...(r.spot
            ? {
                InstanceMarketOptions: {
                  MarketType: 'spot',
                  SpotOptions: {
                    SpotInstanceType: 'one-time',
                    InstanceInterruptionBehavior: 'terminate',
                    ...(r.spotMaxPriceUsd === undefined ? {} : { MaxPrice: String(r.spotMaxPriceUsd) }),
                  },
                },
              }
            : {}),
          TagSpecifications: ['instance', 'volume'].map((ResourceType) => ({
            ResourceType: ResourceType as Sdk.ResourceType,
            Tags: Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })),
          })),
        }),
      ),
    );
    return (out.Instances ?? []).map(toInstance);
  }

  async describeInstances(filters: Record<string, string[]>): Promise<Ec2Instance[]> {
    const Filters = Object.entries(filters).map(([Name, Values]) => ({ Name, Values }));
    const found: Ec2Instance[] = [];
    let NextToken: string | undefined;
    do {
      const out = await this.call(() =>
        this.client.send(new this.sdk.DescribeInstancesCommand({ Filters, MaxResults: 500, NextToken })),
      );
      for (const reservation of out.Reservations ?? [])
        found.push(...(reservation.Instances ?? []).map(toInstance));
      NextToken = out.NextToken;
    } while (NextToken);
    return found;
  }

  async describeInstance(instanceId: string): Promise<Ec2Instance | undefined> {
    try {
      const out = await this.call(() =>
        this.client.send(new this.sdk.DescribeInstancesCommand({ InstanceIds: [instanceId] })),
      );
      return out.Reservations?.flatMap((r) => r.Instances ?? []).map(toInstance)[0];
    } catch (error) {
      if (error instanceof Ec2Error && error.code === 'InvalidInstanceID.NotFound') return undefined;
      throw error;
    }
  }

  async terminate(instanceId: string): Promise<void> {
    await this.call(() =>
      this.client.send(new this.sdk.TerminateInstancesCommand({ InstanceIds: [instanceId] })),
    );
  }

  async createTags(instanceId: string, tags: Record<string, string>): Promise<void> {
    const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    await this.call(() =>
      this.client.send(new this.sdk.CreateTagsCommand({ Resources: [instanceId], Tags })),
    );
  }

  async spotPriceUsd(instanceType: string): Promise<number | undefined> {
    const out = await this.call(() =>
      this.client.send(
        new this.sdk.DescribeSpotPriceHistoryCommand({
          InstanceTypes: [instanceType as Sdk._InstanceType],
          ProductDescriptions: ['Linux/UNIX'],
          StartTime: new Date(),
        }),
      ),
    );
    const prices = (out.SpotPriceHistory ?? []).map((p) => Number(p.SpotPrice)).filter(Number.isFinite);
    return prices.length === 0 ? undefined : Math.max(...prices);
  }

  async describeImages(imageIds: string[]): Promise<string[]> {
    const out = await this.call(() =>
      this.client.send(new this.sdk.DescribeImagesCommand({ ImageIds: imageIds })),
    );
    return (out.Images ?? []).filter((i) => i.State === 'available').map((i) => i.ImageId ?? '');
  }

  async describeInstanceTypes(types: string[]): Promise<string[]> {
    const out = await this.call(() =>
      this.client.send(
        new this.sdk.DescribeInstanceTypesCommand({ InstanceTypes: types as Sdk._InstanceType[] }),
      ),
    );
    return (out.InstanceTypes ?? []).map((t) => String(t.InstanceType));
  }

  async describeSubnets(subnetIds: string[]): Promise<{ subnetId: string; zone: string }[]> {
    const out = await this.call(() =>
      this.client.send(new this.sdk.DescribeSubnetsCommand({ SubnetIds: subnetIds })),
    );
    return (out.Subnets ?? []).map((s) => ({ subnetId: s.SubnetId ?? '', zone: s.AvailabilityZone ?? '' }));
  }

  async dryRunDescribe(): Promise<void> {
    try {
      await this.call(() =>
        this.client.send(new this.sdk.DescribeInstancesCommand({ DryRun: true, MaxResults: 5 })),
      );
    } catch (error) {
      if (error instanceof Ec2Error && error.code === 'DryRunOperation') return;
      throw error;
    }
  }

  close(): void {
    this.client.destroy();
  }

  private async call<Out>(request: () => Promise<Out>): Promise<Out> {
    try {
      return await request();
    } catch (error) {
      throw Ec2Error.of(error);
    }
  }
}

/** An EC2 refusal, carrying EC2's error code (InsufficientInstanceCapacity, …) for the provider. */
export class Ec2Error extends ProviderError {
  constructor(
    readonly code: string,
    message: string,
    options: { status?: number; retryable: boolean; cause: unknown },
  ) {
    super(message, options);
    this.name = 'Ec2Error';
  }

  static of(error: unknown): Ec2Error {
    const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode;
    const code = e.name ?? 'Unknown';
    // The SDK has already retried what it deems transient; what reaches here failed maxAttempts times.
    const retryable = status === undefined || status >= 500;
    return new Ec2Error(code, `EC2 ${code}: ${e.message ?? String(error)}`, {
      ...(status === undefined ? {} : { status }),
      retryable,
      cause: error,
    });
  }
}

function toInstance(i: Sdk.Instance): Ec2Instance {
  return {
    instanceId: i.InstanceId ?? '',
    state: i.State?.Name ?? 'pending',
    launchedAtMs: i.LaunchTime?.getTime() ?? 0,
    zone: i.Placement?.AvailabilityZone,
    launchIndex: i.AmiLaunchIndex ?? 0,
    tags: Object.fromEntries((i.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  };
}
