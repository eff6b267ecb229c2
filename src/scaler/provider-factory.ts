import type { Provider, ProviderLog } from '../../providers/provider.ts';
import type { RedisClient } from '../base/redis-connection.ts';
import { scalerKeys } from '../base/redis-keys.ts';
import type { AutoscalerConfig } from '../config/schema.ts';
import { RedisRequestWindows } from './request-windows.ts';

/**
 * The one place that names concrete providers; each is imported only when configured. `redis`
 * holds the cluster's shared API budget, so every scaler process spends from one.
 */
export async function createProvider(
  config: AutoscalerConfig,
  redis: RedisClient,
  log?: ProviderLog,
): Promise<Provider> {
  const settings = config.provider;
  switch (settings.type) {
    case 'local-process': {
      const { createLocalProcessProvider } = await import('../../providers/local-process/index.ts');
      return createLocalProcessProvider({ ...settings, cluster: config.cluster });
    }
    case 'digitalocean': {
      const { createDigitalOceanProvider } = await import('../../providers/digitalocean/index.ts');
      const keys = scalerKeys({ prefix: config.redis.bullmqPrefix, cluster: config.cluster });
      const windows = new RedisRequestWindows(
        redis,
        keys.apiRequests('digitalocean'),
        keys.apiBudget('digitalocean'),
      );
      return createDigitalOceanProvider({
        ...settings,
        cluster: config.cluster,
        windows,
        ...(log === undefined ? {} : { log }),
      });
    }
    case 'aws-ec2': {
      // EC2 throttles per account and region with its own token buckets, which the SDK's
      // adaptive retry mode follows; the Redis budget (DigitalOcean's fixed quota) is not used.
      const { createAwsEc2Provider } = await import('../../providers/aws-ec2/index.ts');
      return createAwsEc2Provider({ ...settings, cluster: config.cluster });
    }
  }
}
