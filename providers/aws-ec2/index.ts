/**
 * AWS EC2 provider: servers are instances launched from your AMI (or launch template), on
 * on-demand or spot capacity, configured through a user_data template, and tagged
 * `bullmq-autoscaler:cluster=<cluster>` so the scaler only ever touches its own.
 *
 * Exports:
 * - `awsEc2ProviderSchema` — the `provider` config block (`type: 'aws-ec2'`).
 * - `createAwsEc2Provider(options)` — a Provider with `maxBatch` 20. It loads
 *   `@aws-sdk/client-ec2` (an optional peer dependency) and fails with how to install it when
 *   missing. Credentials come from the SDK's default chain (environment, shared profile, SSO,
 *   the instance or task role), never from the config.
 * - `runAwsEc2Doctor(options)` — setup checks as `{name, ok, detail}` lines.
 * Docs: docs/providers/aws-ec2.md.
 */
import type { Provider } from '../provider.ts';
import { loadEc2Api } from './client.ts';
import type { AwsEc2ProviderConfig } from './config.ts';
import { Ec2Provider } from './ec2-provider.ts';

export type { AwsEc2ProviderConfig, AwsEc2ProviderConfigInput } from './config.ts';
export { awsEc2ProviderSchema } from './config.ts';

export interface AwsEc2ProviderOptions extends AwsEc2ProviderConfig {
  /** The scaler cluster: its ownership tag is the only one this provider lists, reads or terminates. */
  cluster: string;
}

export async function createAwsEc2Provider(options: AwsEc2ProviderOptions): Promise<Provider> {
  const api = await loadEc2Api({
    region: options.region,
    endpoint: options.endpoint,
    maxAttempts: options.maxAttempts,
  });
  return new Ec2Provider({ config: options, cluster: options.cluster, api });
}
export type { Ec2DoctorCheck, Ec2DoctorOptions } from './doctor.ts';
export { runAwsEc2Doctor } from './doctor.ts';
