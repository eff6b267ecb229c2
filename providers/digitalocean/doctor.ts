import { readFile } from 'node:fs/promises';
import { ownerTagOf, sampleServerEnv } from '../provider.ts';
import { resolveSnapshot } from './catalog.ts';
import { connectFromConfig, type DigitalOceanApi } from './client.ts';
import { type Clock, realClock } from './clock.ts';
import {
  type DigitalOceanProviderConfig,
  type DropletTypeSettings,
  dropletTypeSettings,
  resolveSettings,
} from './config.ts';
import { checkUserData, renderUserData } from './user-data.ts';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** What was found, or what is wrong and what to do about it. */
  detail: string;
}

export interface DoctorOptions extends DigitalOceanProviderConfig {
  cluster: string;
  /** Servers the scaler may run at once (its global cap); the account must have room for them. */
  maxServers: number;
  /** Values rendered into user_data for the check; pass the real REDIS_URL and BULLMQ_PREFIX. */
  sampleEnv?: Record<string, string>;
}

type Check = (api: DigitalOceanApi, options: DoctorOptions) => Promise<string>;

const checkToken: Check = async (api) =>
  `token accepted (account droplet limit ${await api.getDropletLimit()})`;

type TypeCheck = (api: DigitalOceanApi, type: DropletTypeSettings) => Promise<string>;

/** Every region a type may create in must hold its snapshot: a fallback region without it fails every create. */
const checkSnapshot: TypeCheck = async (api, { snapshot, regions }) => {
  const found = await resolveSnapshot(api, snapshot);
  const label = `snapshot "${found.name}" (id ${found.id})`;
  const missing = regions.filter((region) => !found.regions.includes(region));
  if (missing.length > 0) {
    throw new Error(
      `${label} is not available in region ${missing.join(', ')} (only in: ${found.regions.join(', ') || 'none'}): ` +
        `transfer it there or remove the region from the type's regions`,
    );
  }
  return `${label} is available in ${regions.join(', ')}`;
};

/**
 * The snapshot checks alone, one per server type, as `start` runs them before the scaler.
 * Throws when a snapshot cannot boot droplets in its regions; a retryable ProviderError means
 * DigitalOcean did not answer, not that the setup is wrong.
 */
export function checkDigitalOceanSnapshots(
  options: DigitalOceanProviderConfig,
  env: NodeJS.ProcessEnv = process.env,
  clock: Clock = realClock,
): Promise<string[]> {
  const api = connectFromConfig(options, resolveSettings(options, env), clock);
  const types = ['default', ...Object.keys(options.serverTypes)];
  return Promise.all(types.map((type) => checkSnapshot(api, dropletTypeSettings(options, type))));
}

const checkSize: TypeCheck = async (api, { size, regions }) => {
  const found = (await api.listSizes()).find((s) => s.slug === size);
  if (!found) throw new Error(`size "${size}" does not exist: pick a slug from \`doctl compute size list\``);
  const missing = regions.filter((region) => !found.available || !found.regions.includes(region));
  if (missing.length > 0) {
    throw new Error(
      `size "${size}" is not offered in region ${missing.join(', ')}: pick another size or region`,
    );
  }
  return `size "${size}" is offered in ${regions.join(', ')} at $${found.priceHourly}/h`;
};

const checkDropletLimit: Check = async (api, { cluster, maxServers }) => {
  const [limit, total, ours] = await Promise.all([
    api.getDropletLimit(),
    api.countDroplets(),
    api.listDroplets(ownerTagOf(cluster)),
  ]);
  const room = limit - (total - ours.length);
  const detail = `droplet limit ${limit}, ${total - ours.length} droplet(s) not ours, room for ${room}`;
  if (room < maxServers) {
    throw new Error(
      `${detail} < maxServers ${maxServers}: lower maxServers or ask DigitalOcean to raise the limit`,
    );
  }
  return `${detail} ≥ maxServers ${maxServers}`;
};

async function checkUserDataFile(options: DoctorOptions, token: string): Promise<string> {
  const template = await readFile(options.userDataFile, 'utf8');
  const env = sampleServerEnv(options.cluster, options.sampleEnv);
  const userData = renderUserData(template, { env, vars: options.userDataVars });
  checkUserData(userData, { token });
  return `${options.userDataFile} renders to ${Buffer.byteLength(userData)} bytes (limit 65536)`;
}

async function run(name: string, work: () => Promise<string>): Promise<DoctorCheck> {
  try {
    return { name, ok: true, detail: await work() };
  } catch (error) {
    return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/** The snapshot and size checks once per server type ("default" is the provider block itself). */
function typeChecks(options: DoctorOptions): [string, Check][] {
  const types = ['default', ...Object.keys(options.serverTypes)];
  const label = (what: string, type: string) =>
    types.length === 1 ? `DigitalOcean ${what}` : `DigitalOcean ${what} (type ${type})`;
  return types.flatMap((type): [string, Check][] => [
    [label('snapshot', type), (api) => checkSnapshot(api, dropletTypeSettings(options, type))],
    [label('size', type), (api) => checkSize(api, dropletTypeSettings(options, type))],
  ]);
}

/**
 * Checks that a DigitalOcean setup can create working servers, one line per check. Checks that
 * need the API are reported as not run when the token is missing or rejected.
 */
export async function runDigitalOceanDoctor(
  options: DoctorOptions,
  env: NodeJS.ProcessEnv = process.env,
  clock: Clock = realClock,
): Promise<DoctorCheck[]> {
  let api: DigitalOceanApi | undefined;
  const tokenCheck = await run('DigitalOcean token', () => {
    api = connectFromConfig(options, resolveSettings(options, env), clock);
    return checkToken(api, options);
  });
  const usable = tokenCheck.ok ? api : undefined;
  const checks: [string, Check][] = [
    ...typeChecks(options),
    ['DigitalOcean droplet limit', checkDropletLimit],
  ];
  const apiChecks = await Promise.all(
    checks.map(([name, check]) =>
      usable
        ? run(name, () => check(usable, options))
        : { name, ok: false, detail: 'not checked: the token check failed' },
    ),
  );
  const token = env[options.tokenEnv]?.trim() ?? '';
  const userData = await run('user_data', () => checkUserDataFile(options, token));
  return [tokenCheck, ...apiChecks, userData];
}
