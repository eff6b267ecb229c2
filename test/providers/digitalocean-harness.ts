import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../providers/digitalocean/clock.ts';
import {
  createDigitalOceanProvider,
  type DigitalOceanProvider,
  type DigitalOceanProviderConfigInput,
  digitaloceanProviderSchema,
} from '../../providers/digitalocean/index.ts';
import { ownerTagOf, poolTagOf, type ServerSpec } from '../../providers/provider.ts';

/** Shared placeholders only: droplets of one pool get the same body and batch ten to a request. */
export const SHARED_TEMPLATE = `#!/bin/sh
set -eu
cat > /etc/bullmq-autoscaler.env <<EOF
POOL={{POOL}}
REDIS_URL={{REDIS_URL}}
EXTRA={{vars.EXTRA}}
EOF
`;

export interface VirtualClock extends Clock {
  sleeps: number[];
}

/** Time that moves only when someone sleeps: backoff and budgets run at once, HTTP stays real. */
export function virtualClock(): VirtualClock {
  let nowMs = Date.now();
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => nowMs,
    sleep: async (ms) => {
      sleeps.push(ms);
      nowMs += Math.max(0, ms);
      await new Promise((resolve) => setImmediate(resolve));
    },
    random: () => 0.5,
  };
}

export async function templateFile(
  content = SHARED_TEMPLATE,
): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'do-user-data-'));
  const path = join(dir, 'user-data.sh');
  await writeFile(path, content);
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

export type DoConfig = ReturnType<typeof doConfig>;

export function doConfig(
  apiUrl: string,
  userDataFile: string,
  overrides: Partial<DigitalOceanProviderConfigInput> = {},
) {
  return digitaloceanProviderSchema.parse({
    type: 'digitalocean',
    apiUrl,
    region: 'nyc3',
    size: 's-1vcpu-1gb',
    snapshot: 'worker-base',
    userDataFile,
    userDataVars: { EXTRA: "it's fine" },
    tags: ['team-jobs'],
    ...overrides,
  });
}

export function makeProvider(
  cluster: string,
  config: DoConfig,
  token: string,
  clock: Clock = virtualClock(),
): DigitalOceanProvider {
  return createDigitalOceanProvider({ ...config, cluster }, { DIGITALOCEAN_TOKEN: token }, clock);
}

export function specs(cluster: string, count: number, pool = 'web'): ServerSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const serverId = `${pool}${i}`;
    const name = `${cluster}-${pool}-${serverId}`;
    const env = {
      SERVER_ID: serverId,
      SERVER_NAME: name,
      POOL: pool,
      REDIS_URL: 'redis://:secret@10.0.0.5:6379',
      AUTOSCALER_CLUSTER: cluster,
      BULLMQ_PREFIX: 'bull',
    };
    return { serverId, name, pool, type: 'default', tags: [ownerTagOf(cluster), poolTagOf(pool)], env };
  });
}
