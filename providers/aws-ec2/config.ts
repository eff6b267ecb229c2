import { z } from 'zod';

const typeName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'use lowercase letters, digits or dashes');
const imageId = z.string().regex(/^ami-[0-9a-f]{8,17}$/, 'an AMI id such as "ami-0123456789abcdef0"');
const templateId = z
  .string()
  .regex(/^lt-[0-9a-f]{8,17}$/, 'a launch template id such as "lt-0123456789abcdef0"');
const instanceType = z.string().regex(/^[a-z0-9-]+\.[a-z0-9-]+$/, 'an instance type such as "c6i.large"');
const subnetIds = z
  .array(z.string().regex(/^subnet-[0-9a-f]+$/, 'a subnet id such as "subnet-0a1b2c3d"'))
  .min(1);
const groupIds = z.array(z.string().regex(/^sg-[0-9a-f]+$/, 'a security group id such as "sg-0a1b2c3d"'));
/** EC2 tag keys starting with "aws:" are reserved; ours start with "bullmq-autoscaler:". */
const extraTags = z.record(
  z
    .string()
    .regex(
      /^(?!aws:|bullmq-autoscaler:)[\w .:+=@/-]{1,128}$/,
      'a tag key (not aws:… or bullmq-autoscaler:…)',
    ),
  z.string().max(256),
);
const market = z.enum(['on-demand', 'spot', 'spot-with-fallback']);
const varName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'use a shell-style variable name');

/** What an instance is made of; the provider block sets the defaults, each server type may override. */
const instanceSettings = {
  imageId: imageId
    .optional()
    .describe('AMI the instances boot from (your baked worker image), in the region.'),
  launchTemplateId: templateId
    .optional()
    .describe(
      'Launch template to start from instead of (or under) imageId and instanceType; its $Default version.',
    ),
  instanceType: instanceType
    .optional()
    .describe('Instance type, e.g. "c6i.large"; required unless the launch template sets it.'),
  subnetIds: subnetIds.describe(
    'Subnets in order of preference (one per availability zone): a subnet without capacity is skipped for subnetCoolOffMs.',
  ),
  securityGroupIds: groupIds
    .default([])
    .describe('Security groups of every instance (they must reach Redis).'),
  tags: extraTags
    .default({})
    .describe('Extra tags on every instance, besides Name and the bullmq-autoscaler: tags.'),
  userDataFile: z
    .string()
    .min(1)
    .describe(
      'Template of the user_data script; placeholders like {{REDIS_URL}} are shell-quoted. At most 16 KB rendered.',
    ),
  userDataVars: z
    .record(varName, z.string())
    .default({})
    .describe('Your own values for the template, used as {{vars.NAME}}.'),
  market: market
    .default('on-demand')
    .describe(
      'on-demand, spot (spot only), or spot-with-fallback (spot, else on-demand when spot has no capacity or price).',
    ),
  spotMaxPriceUsd: z
    .number()
    .positive()
    .optional()
    .describe('Highest spot price per hour (USD) to pay; default the on-demand price (EC2’s default).'),
};

/**
 * A type's value for one instance setting; left out, the provider block's applies. (The same
 * helper as DigitalOcean's config: provider config files may import nothing, so it is repeated.)
 */
function inherited<T extends z.ZodType>(field: string, schema: T) {
  return schema.optional().describe(`This type’s ${field}; unset: the provider block’s.`);
}

/** A server type's overrides: any instance setting, none required (unset means inherited). */
const typeOverrides = {
  imageId: inherited('imageId', imageId),
  launchTemplateId: inherited('launchTemplateId', templateId),
  instanceType: inherited('instanceType', instanceType),
  subnetIds: inherited('subnetIds', subnetIds),
  securityGroupIds: inherited('securityGroupIds', groupIds),
  tags: inherited('tags (merged over the provider block’s)', extraTags),
  userDataFile: inherited('userDataFile', z.string().min(1)),
  userDataVars: inherited('userDataVars (merged over the provider block’s)', z.record(varName, z.string())),
  market: inherited('market', market),
  spotMaxPriceUsd: inherited('spotMaxPriceUsd', z.number().positive()),
};

export const awsEc2ProviderSchema = z
  .object({
    type: z
      .literal('aws-ec2')
      .describe(
        'EC2 instances from your AMI or launch template; needs the optional dependency @aws-sdk/client-ec2.',
      ),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as "eu-central-1"')
      .describe(
        'AWS region, e.g. "eu-central-1". Credentials come from the AWS SDK’s default chain (env, profile, instance role), never from this file.',
      ),
    endpoint: z
      .url()
      .optional()
      .describe('EC2 API endpoint, for proxies, VPC endpoints and tests; default the region’s.'),
    ...instanceSettings,
    serverTypes: z
      .record(typeName, z.object(typeOverrides).strict())
      .default({})
      .describe(
        'Named server types: each overrides any instance setting above (instanceType, imageId, market, …); a pool picks one with serverType.',
      ),
    hourlyPricesUsd: z
      .record(instanceType, z.number().positive())
      .default({})
      .describe(
        'On-demand USD per hour per instance type, over the built-in table (the Pricing API is a separate service this provider does not call).',
      ),
    subnetCoolOffMs: z
      .number()
      .int()
      .min(0)
      .default(900_000)
      .describe(
        'After a subnet refuses an instance type for lack of capacity, creates of that type skip it this long.',
      ),
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(4)
      .describe(
        'Tries per EC2 request (the SDK’s adaptive retry mode, the first try included). RunInstances retries are safe: each carries a ClientToken.',
      ),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const [name, o] of [['default', {}] as const, ...Object.entries(config.serverTypes)]) {
      const launchTemplateId = o.launchTemplateId ?? config.launchTemplateId;
      const where = name === 'default' ? [] : ['serverTypes', name];
      if (launchTemplateId === undefined && (o.imageId ?? config.imageId) === undefined)
        ctx.addIssue({
          code: 'custom',
          path: [...where, 'imageId'],
          message: 'required: give imageId (an AMI) or launchTemplateId',
        });
      if (launchTemplateId === undefined && (o.instanceType ?? config.instanceType) === undefined)
        ctx.addIssue({
          code: 'custom',
          path: [...where, 'instanceType'],
          message: 'required: give instanceType or launchTemplateId',
        });
    }
  });

export type AwsEc2ProviderConfig = z.output<typeof awsEc2ProviderSchema>;
export type AwsEc2ProviderConfigInput = z.input<typeof awsEc2ProviderSchema>;
export type Market = z.output<typeof market>;

/** The settings one server type launches instances with: the provider block, then the type's overrides. */
export interface InstanceTypeSettings {
  type: string;
  imageId: string | undefined;
  launchTemplateId: string | undefined;
  instanceType: string | undefined;
  subnetIds: string[];
  securityGroupIds: string[];
  tags: Record<string, string>;
  userDataFile: string;
  userDataVars: Record<string, string>;
  market: Market;
  spotMaxPriceUsd: number | undefined;
}

/** Resolves a server type; `default` is the provider block itself. Unknown types are refused. */
export function instanceTypeSettings(config: AwsEc2ProviderConfig, type: string): InstanceTypeSettings {
  const o = type === 'default' ? {} : config.serverTypes[type];
  if (o === undefined) {
    throw new Error(
      `unknown server type "${type}": define it under provider.serverTypes (known: ${['default', ...Object.keys(config.serverTypes)].join(', ')})`,
    );
  }
  return {
    type,
    imageId: o.imageId ?? config.imageId,
    launchTemplateId: o.launchTemplateId ?? config.launchTemplateId,
    instanceType: o.instanceType ?? config.instanceType,
    subnetIds: o.subnetIds ?? config.subnetIds,
    securityGroupIds: o.securityGroupIds ?? config.securityGroupIds,
    tags: { ...config.tags, ...o.tags },
    userDataFile: o.userDataFile ?? config.userDataFile,
    userDataVars: { ...config.userDataVars, ...o.userDataVars },
    market: o.market ?? config.market,
    spotMaxPriceUsd: o.spotMaxPriceUsd ?? config.spotMaxPriceUsd,
  };
}
