/**
 * DigitalOcean provider: servers are droplets booted from your snapshot, configured through a
 * user_data template, and tagged so the scaler only ever touches its own.
 *
 * Exports:
 * - `digitaloceanProviderSchema` — the `provider` config block (`type: 'digitalocean'`).
 * - `createDigitalOceanProvider(options, env?, clock?)` — a Provider with `maxBatch` 10 and
 *   `hourlyPrice(size)`. It throws at once if the token variable is unset; @digitalocean/dots
 *   is imported in the background from here on, never when this module is merely imported.
 * - `runDigitalOceanDoctor(options, env?, clock?)` — setup checks as `{name, ok, detail}` lines.
 * - `checkDigitalOceanSnapshots(options, env?, clock?)` — the snapshot checks alone, one per server type (`start` runs them).
 *
 * `options.windows` shares the API budget between processes (the scaler keeps it in Redis).
 * `env` defaults to process.env: the token comes from `env[options.tokenEnv]` and the API URL
 * from `options.apiUrl`, else `env.DIGITALOCEAN_API_URL`. `clock` exists for tests.
 * Docs: docs/providers/digitalocean.md.
 */
import type { Provider, ProviderLog, RequestWindows } from '../provider.ts';
import { Catalog } from './catalog.ts';
import { connectFromConfig } from './client.ts';
import { type Clock, realClock } from './clock.ts';
import { type DigitalOceanProviderConfig, resolveSettings } from './config.ts';
import { DropletProvider } from './droplet-provider.ts';

export type { DigitalOceanProviderConfig, DigitalOceanProviderConfigInput } from './config.ts';
export { digitaloceanProviderSchema } from './config.ts';
export type { DoctorCheck, DoctorOptions } from './doctor.ts';
export { checkDigitalOceanSnapshots, runDigitalOceanDoctor } from './doctor.ts';

export interface DigitalOceanProviderOptions extends DigitalOceanProviderConfig {
  /** The scaler cluster: its ownership tag is the only one this provider lists, reads or destroys. */
  cluster: string;
  /** Where API requests are counted; the scaler passes Redis-backed windows. This process only when absent. */
  windows?: RequestWindows;
  /** Where retried creates and destroys are logged (at warn); the scaler passes its logger. */
  log?: ProviderLog;
}

export interface DigitalOceanProvider extends Provider {
  /** USD per hour of a droplet size, from DigitalOcean's size list (fetched once); undefined if unknown. */
  hourlyPrice(size: string): Promise<number | undefined>;
}

export function createDigitalOceanProvider(
  options: DigitalOceanProviderOptions,
  env: NodeJS.ProcessEnv = process.env,
  clock: Clock = realClock,
): DigitalOceanProvider {
  const settings = resolveSettings(options, env);
  const api = connectFromConfig(options, settings, clock, options.windows);
  return new DropletProvider({
    config: options,
    cluster: options.cluster,
    token: settings.token,
    api,
    catalog: new Catalog(api, clock, options.imageCheckMs),
    clock,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
}
