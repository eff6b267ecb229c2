import type { Provider } from '../providers/provider.ts';
import type { AutoscalerConfig } from './config/schema.ts';

/** The one place that names concrete providers; each is imported only when configured. */
export async function createProvider(config: AutoscalerConfig): Promise<Provider> {
  const settings = config.provider;
  switch (settings.type) {
    case 'local-process': {
      const { createLocalProcessProvider } = await import('../providers/local-process/index.ts');
      return createLocalProcessProvider({ ...settings, cluster: config.cluster });
    }
    case 'digitalocean': {
      const { createDigitalOceanProvider } = await import('../providers/digitalocean/index.ts');
      return createDigitalOceanProvider({ ...settings, cluster: config.cluster });
    }
  }
}
