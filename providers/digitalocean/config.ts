import { z } from 'zod';

const DEFAULT_API_URL = 'https://api.digitalocean.com';

/**
 * DigitalOcean's token formats (`dop_v1_…`, `doo_v1_…`, `dor_v1_…`) and the older 64 hex digits:
 * such a value in tokenEnv is the secret itself, which must never sit in a config file or a log.
 */
function looksLikeToken(value: string): boolean {
  return /^do[a-z]_v1_/i.test(value) || /^[0-9a-f]{32,}$/i.test(value);
}

const API_BASE_HINT =
  'give the API base without /v2, e.g. https://api.digitalocean.com (the provider adds /v2/…)';

/** An API base ending in /v2 sends every call to /v2/v2/… and gets 404 for all of them. */
function endsInV2(url: string): boolean {
  try {
    return /\/v2\/?$/.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

const tag = z
  .string()
  .regex(
    /^[a-zA-Z0-9_\-:]{1,255}$/,
    'use letters, digits, underscores, dashes or colons (DigitalOcean tag rules)',
  );

const snapshotRef = z.union([z.number().int().positive(), z.string().min(1)]);
const typeName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'use lowercase letters, digits or dashes');

/** What a droplet is made of; the provider block sets the defaults, each server type may override. */
const dropletSettings = {
  region: z.string().min(1).optional().describe('Region slug the droplets are created in, e.g. "fra1".'),
  regions: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe(
      'Regions in order of preference (instead of region): a region without capacity for the size is skipped for regionCoolOffMs.',
    ),
  size: z.string().min(1).describe('Droplet size slug, e.g. "s-2vcpu-4gb".'),
  snapshot: snapshotRef.describe(
    'Snapshot the droplets boot from: its numeric id, or its name (the newest of that name).',
  ),
  vpcUuid: z.uuid().optional().describe('VPC to place droplets in; default the region’s default VPC.'),
  sshKeys: z
    .array(z.union([z.number().int().positive(), z.string().min(1)]))
    .default([])
    .describe('SSH key ids or fingerprints installed on every droplet.'),
  monitoring: z.boolean().default(false).describe('Install the DigitalOcean monitoring agent at boot.'),
  tags: z.array(tag).default([]).describe('Extra tags on every droplet, after the ownership and pool tags.'),
  userDataFile: z
    .string()
    .min(1)
    .describe('Template of the user_data script; placeholders like {{REDIS_URL}} are shell-quoted.'),
  userDataVars: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'use a shell-style variable name'), z.string())
    .default({})
    .describe('Your own values for the template, used as {{vars.NAME}}.'),
};

/** A type's value for one droplet setting; left out, the provider block's applies. */
function inherited<T extends z.ZodType>(field: string, schema: T) {
  return schema.optional().describe(`This type’s ${field}; unset: the provider block’s.`);
}

/** A server type's overrides: any droplet setting, none required (no defaults: unset means inherited). */
const typeOverrides = {
  region: inherited('region', z.string().min(1)),
  regions: inherited('regions', z.array(z.string().min(1)).min(1)),
  size: inherited('size', z.string().min(1)),
  snapshot: inherited('snapshot', snapshotRef),
  vpcUuid: inherited('vpcUuid', z.uuid()),
  sshKeys: inherited('sshKeys', z.array(z.union([z.number().int().positive(), z.string().min(1)]))),
  monitoring: inherited('monitoring', z.boolean()),
  tags: inherited('tags', z.array(tag)),
  userDataFile: inherited('userDataFile', z.string().min(1)),
  userDataVars: inherited('userDataVars', z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string())),
};

export const digitaloceanProviderSchema = z
  .object({
    type: z
      .literal('digitalocean')
      .describe('Each server is a DigitalOcean droplet booted from your snapshot.'),
    tokenEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'name an environment variable, not the token itself')
      .refine(
        (value) => !looksLikeToken(value),
        'this looks like an API token, not a variable name: put the token in an environment variable (e.g. DIGITALOCEAN_TOKEN), name that variable here, and revoke the token if this file was shared',
      )
      .default('DIGITALOCEAN_TOKEN')
      .describe(
        'Name of the environment variable holding the API token; the token never goes in the config.',
      ),
    apiUrl: z
      .url()
      .refine((url) => !endsInV2(url), API_BASE_HINT)
      .optional()
      .describe('API base URL, for proxies and tests; default env DIGITALOCEAN_API_URL, else the real API.'),
    ...dropletSettings,
    serverTypes: z
      .record(typeName, z.object(typeOverrides).strict())
      .default({})
      .describe(
        'Named server types: each overrides any droplet setting above (size, snapshot, regions, userDataFile, …); a pool picks one with serverType.',
      ),
    imageCheckMs: z
      .number()
      .int()
      .min(1_000)
      .default(300_000)
      .describe(
        'How often a snapshot given by name is looked up again, so a new snapshot of that name starts a rollout without a restart.',
      ),
    regionCoolOffMs: z
      .number()
      .int()
      .min(0)
      .default(900_000)
      .describe(
        'After a region refuses a size for lack of capacity, creates of that size skip it this long and go to the next region.',
      ),
    requestsPerMinute: z
      .number()
      .int()
      .min(1)
      .max(250)
      .default(200)
      .describe(
        'Client-side cap on API requests per minute (DigitalOcean allows 250); a 429 halves it for a while, then it grows back.',
      ),
    requestsPerHour: z
      .number()
      .int()
      .min(1)
      .max(5_000)
      .default(4_500)
      .describe('Client-side cap on API requests per hour (DigitalOcean allows 5,000).'),
    requestTimeoutMs: z
      .number()
      .int()
      .min(1)
      .max(60_000)
      .default(30_000)
      .describe(
        'A request without an answer after this long fails and may be retried. At most a minute: the API budget counts a request until its answer.',
      ),
    createMaxAttempts: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(4)
      .describe(
        'Tries per create batch, the first included; each retry first checks the droplets do not exist.',
      ),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.region === undefined && config.regions === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['regions'],
        message:
          'required: give regions (in order of preference) or region, e.g. "regions": ["fra1", "ams3"]',
      });
    if (config.region !== undefined && config.regions !== undefined)
      ctx.addIssue({ code: 'custom', path: ['region'], message: 'give regions or region, not both' });
  });

export type DigitalOceanProviderConfig = z.output<typeof digitaloceanProviderSchema>;
export type DigitalOceanProviderConfigInput = z.input<typeof digitaloceanProviderSchema>;

export interface ResolvedSettings {
  token: string;
  apiUrl: string;
}

/** Reads the token and the API URL from the environment; the error names the variable, never a value. */
export function resolveSettings(
  config: DigitalOceanProviderConfig,
  env: NodeJS.ProcessEnv,
): ResolvedSettings {
  const token = env[config.tokenEnv] ?? '';
  if (token.trim() === '') {
    throw new Error(
      `DigitalOcean API token missing: set the environment variable ${config.tokenEnv} ` +
        '(or point provider.tokenEnv at the variable that holds it)',
    );
  }
  const apiUrl = config.apiUrl ?? env.DIGITALOCEAN_API_URL ?? DEFAULT_API_URL;
  if (endsInV2(apiUrl)) {
    throw new Error(`DigitalOcean API URL ${shownUrl(apiUrl)} (from DIGITALOCEAN_API_URL): ${API_BASE_HINT}`);
  }
  return { token: token.trim(), apiUrl };
}

/** Scheme, host and path: credentials or a query in a URL stay out of messages. */
export function shownUrl(url: string): string {
  try {
    const { origin, pathname } = new URL(url);
    return `${origin}${pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/** The settings one server type creates droplets with: the provider block, then the type's overrides. */
export interface DropletTypeSettings {
  type: string;
  /** In order of preference; at least one. */
  regions: string[];
  size: string;
  snapshot: number | string;
  vpcUuid: string | undefined;
  sshKeys: (number | string)[];
  monitoring: boolean;
  tags: string[];
  userDataFile: string;
  userDataVars: Record<string, string>;
}

/** Resolves a server type; `default` is the provider block itself. Unknown types are refused. */
export function dropletTypeSettings(config: DigitalOceanProviderConfig, type: string): DropletTypeSettings {
  const overrides = type === 'default' ? {} : config.serverTypes[type];
  if (overrides === undefined) {
    throw new Error(
      `unknown server type "${type}": define it under provider.serverTypes (known: ${['default', ...Object.keys(config.serverTypes)].join(', ')})`,
    );
  }
  const regionsOf = (o: { region?: string | undefined; regions?: string[] | undefined }) =>
    o.regions ?? (o.region === undefined ? undefined : [o.region]);
  return {
    type,
    regions: regionsOf(overrides) ?? regionsOf(config) ?? [],
    size: overrides.size ?? config.size,
    snapshot: overrides.snapshot ?? config.snapshot,
    vpcUuid: overrides.vpcUuid ?? config.vpcUuid,
    sshKeys: overrides.sshKeys ?? config.sshKeys,
    monitoring: overrides.monitoring ?? config.monitoring,
    tags: overrides.tags ?? config.tags,
    userDataFile: overrides.userDataFile ?? config.userDataFile,
    userDataVars: { ...config.userDataVars, ...overrides.userDataVars },
  };
}
