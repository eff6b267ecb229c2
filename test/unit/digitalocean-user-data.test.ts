import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkUserData,
  renderUserData,
  shellQuote,
  USER_DATA_MAX_BYTES,
} from '../../providers/digitalocean/user-data.ts';
import type { RedisConnection } from '../../src/base/redis-connection.ts';
import { serverEnvToVariables } from '../../src/worker/server-env.ts';

const values = {
  env: { SERVER_ID: 'web-1', POOL: 'web', REDIS_URL: 'redis://:p$ss@10.0.0.5:6379/0' },
  vars: { REGION_NOTE: "it's `here`" },
};

describe('digitalocean user_data', () => {
  it('fills env and vars placeholders with shell-quoted values', () => {
    const out = renderUserData('A={{SERVER_ID}} B={{ REDIS_URL }} C={{vars.REGION_NOTE}}', values);
    expect(out).toBe(`A='web-1' B='redis://:p$ss@10.0.0.5:6379/0' C='it'\\''s \`here\`'`);
  });

  // Each run starts a real /bin/sh: on a busy 2-core machine the default 5 s is not enough.
  it('a quoted value reaches the shell unchanged, whatever it holds', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }).map((s) => s.replaceAll('\0', '')),
        (value) => {
          const run = spawnSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(value)}`], { encoding: 'utf8' });
          expect(run.stdout).toBe(value);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('an unknown placeholder fails and lists the known ones', () => {
    expect(() => renderUserData('x={{vars.NOPE}} y={{MISSING}}', values)).toThrow(
      /unknown placeholder\(s\) \{\{vars\.NOPE\}\}, \{\{MISSING\}\}: known are \{\{SERVER_ID\}\}/,
    );
  });

  it('refuses user_data over 64 KiB and user_data holding the token', () => {
    expect(() => checkUserData('x'.repeat(USER_DATA_MAX_BYTES), { token: 't0k' })).not.toThrow();
    expect(() => checkUserData('x'.repeat(USER_DATA_MAX_BYTES + 1), { token: 't0k' })).toThrow(/65537 bytes/);
    expect(() => checkUserData('export T=dop_v1_abc', { token: 'dop_v1_abc' })).toThrow(
      /contains the DigitalOcean API token/,
    );
  });
});

describe('examples/digitalocean-user-data.sh', () => {
  it('renders with the server environment, is valid bash, and is the same for every server of a pool', () => {
    const template = readFileSync(
      new URL('../../examples/digitalocean-user-data.sh', import.meta.url),
      'utf8',
    );
    // The scaler's own encoding, for each of the three Redis forms.
    const envOf = (id: string, redis: RedisConnection = { url: "redis://:it's@10.0.0.5:6379" }) =>
      serverEnvToVariables({
        serverId: id,
        serverName: `prod-${id}`,
        pool: 'web',
        redisUrl: 'url' in redis ? redis.url : '',
        redis,
        cluster: 'prod',
        bullmqPrefix: 'bull',
        queues: ['emails', 'reports'],
        slots: 4,
        stalledCheckMs: 5_000,
      });
    const render = (id: string) =>
      renderUserData(template, { env: envOf(id), vars: { NODE_ENV: 'production' } });
    const script = render('web-1');
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
    expect(render('web-2')).toBe(script);
    const nodes = [{ host: '10.0.0.5', port: 6379 }];
    for (const redis of [
      { cluster: { nodes }, password: "it's" },
      { sentinel: { sentinels: nodes, name: 'm', sentinelPassword: 's' }, password: 'p' },
    ]) {
      const other = renderUserData(template, {
        env: envOf('web-1', redis),
        vars: { NODE_ENV: 'production' },
      });
      expect(spawnSync('bash', ['-n'], { input: other }).status).toBe(0);
    }
  });
});
