import { z } from 'zod';

const DEFAULT_API_URL = 'https://api.digitalocean.com';

const tag = z
  .string()
  .regex(
    /^[a-zA-Z0-9_\-:]{1,255}$/,
    'use letters, digits, underscores, dashes or colons (DigitalOcean tag rules)',
  );

export const digitaloceanProviderSchema = z
  .object({
    type: z.literal('digitalocean'),
    tokenEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'name an environment variable, not the token itself')
      .default('DIGITALOCEAN_TOKEN')
      .describe(
        'Name of the environment variable holding the API token; the token never goes in the config.',
      ),
    apiUrl: z
      .url()
      .optional()
      .describe('API base URL, for proxies and tests; default env DIGITALOCEAN_API_URL, else the real API.'),
    region: z.string().min(1).describe('Region slug the droplets are created in, e.g. "fra1".'),
    size: z.string().min(1).describe('Droplet size slug, e.g. "s-2vcpu-4gb".'),
    snapshot: z
      .union([z.number().int().positive(), z.string().min(1)])
      .describe('Snapshot the droplets boot from: its numeric id, or its name (the newest of that name).'),
    vpcUuid: z.uuid().optional().describe('VPC to place droplets in; default the region’s default VPC.'),
    sshKeys: z
      .array(z.union([z.number().int().positive(), z.string().min(1)]))
      .default([])
      .describe('SSH key ids or fingerprints installed on every droplet.'),
    monitoring: z.boolean().default(false).describe('Install the DigitalOcean monitoring agent at boot.'),
    tags: z
      .array(tag)
      .default([])
      .describe('Extra tags on every droplet, after the ownership and pool tags.'),
    userDataFile: z
      .string()
      .min(1)
      .describe('Template of the user_data script; placeholders like {{REDIS_URL}} are shell-quoted.'),
    userDataVars: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'use a shell-style variable name'), z.string())
      .default({})
      .describe('Your own values for the template, used as {{vars.NAME}}.'),
    requestsPerMinute: z
      .number()
      .int()
      .min(1)
      .max(250)
      .default(200)
      .describe('Client-side cap on API requests per minute (DigitalOcean allows 250).'),
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
  .strict();

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
  return { token: token.trim(), apiUrl: config.apiUrl ?? env.DIGITALOCEAN_API_URL ?? DEFAULT_API_URL };
}
