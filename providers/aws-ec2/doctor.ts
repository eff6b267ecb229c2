import { readFile } from 'node:fs/promises';
import { renderUserData, sampleServerEnv } from '../provider.ts';
import { type Ec2Api, loadEc2Api } from './client.ts';
import { type AwsEc2ProviderConfig, type InstanceTypeSettings, instanceTypeSettings } from './config.ts';
import { EC2_SERVER_ENV } from './ec2-provider.ts';
import { encodeUserData, USER_DATA_MAX_BYTES } from './user-data.ts';

export interface Ec2DoctorCheck {
  name: string;
  ok: boolean;
  /** What was found, or what is wrong and what to do about it. */
  detail: string;
}

export interface Ec2DoctorOptions extends AwsEc2ProviderConfig {
  cluster: string;
  /** Values rendered into user_data for the check; pass the real REDIS_URL and BULLMQ_PREFIX. */
  sampleEnv?: Record<string, string>;
}

type TypeCheck = (api: Ec2Api, type: InstanceTypeSettings) => Promise<string>;

const checkImage: TypeCheck = async (api, { imageId, launchTemplateId }) => {
  if (imageId === undefined)
    return `launched from launch template ${launchTemplateId} (its AMI is not checked)`;
  const available = await api.describeImages([imageId]);
  if (!available.includes(imageId))
    throw new Error(
      `AMI ${imageId} exists but is not available (still pending or failed): wait or pick another`,
    );
  return `AMI ${imageId} is available in the region`;
};

const checkInstanceType: TypeCheck = async (api, { instanceType }) => {
  if (instanceType === undefined) return 'instance type set by the launch template (not checked)';
  const offered = await api.describeInstanceTypes([instanceType]);
  if (!offered.includes(instanceType))
    throw new Error(`instance type ${instanceType} is not offered in the region: pick another`);
  return `instance type ${instanceType} is offered in the region`;
};

const checkSubnets: TypeCheck = async (api, { subnetIds }) => {
  const found = await api.describeSubnets(subnetIds);
  return `subnets ${found.map((s) => `${s.subnetId} (${s.zone})`).join(', ')} exist`;
};

async function checkUserDataFile(options: Ec2DoctorOptions, type: InstanceTypeSettings): Promise<string> {
  const template = await readFile(type.userDataFile, 'utf8');
  const env = { ...sampleServerEnv(options.cluster, options.sampleEnv), ...EC2_SERVER_ENV };
  const userData = renderUserData(template, { env, vars: type.userDataVars });
  encodeUserData(userData);
  return `${type.userDataFile} renders to ${Buffer.byteLength(userData)} bytes (limit ${USER_DATA_MAX_BYTES})`;
}

async function run(name: string, work: () => Promise<string>): Promise<Ec2DoctorCheck> {
  try {
    return { name, ok: true, detail: await work() };
  } catch (error) {
    return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Checks that an EC2 setup can launch working servers, one line per check. The credentials
 * check is a DryRun DescribeInstances (no STS call, no permission beyond the provider's own);
 * the other API checks are reported as not run when it fails.
 */
export async function runAwsEc2Doctor(options: Ec2DoctorOptions): Promise<Ec2DoctorCheck[]> {
  let api: Ec2Api | undefined;
  const credentials = await run('AWS credentials', async () => {
    api = await loadEc2Api({ region: options.region, endpoint: options.endpoint, maxAttempts: 2 });
    await api.dryRunDescribe();
    return `the default credential chain may call ec2:DescribeInstances in ${options.region}`;
  });
  const types = ['default', ...Object.keys(options.serverTypes)];
  const label = (what: string, type: string) =>
    types.length === 1 ? `EC2 ${what}` : `EC2 ${what} (type ${type})`;
  const usable = credentials.ok ? api : undefined;
  const checks = types.flatMap((type) => {
    const settings = instanceTypeSettings(options, type);
    const apiCheck = (what: string, check: TypeCheck) =>
      usable
        ? run(label(what, type), () => check(usable, settings))
        : Promise.resolve({
            name: label(what, type),
            ok: false,
            detail: 'not checked: the credentials check failed',
          });
    return [
      apiCheck('AMI', checkImage),
      apiCheck('instance type', checkInstanceType),
      apiCheck('subnets', checkSubnets),
      run(label('user_data', type), () => checkUserDataFile(options, settings)),
    ];
  });
  const results = [credentials, ...(await Promise.all(checks))];
  api?.close();
  return results;
}
