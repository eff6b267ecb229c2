import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { localCluster } from '../helpers/local-cluster.ts';
import { waitFor } from '../helpers/redis.ts';
import { ScalerProcess } from '../helpers/scaler-process.ts';
import { SecuredRedis } from '../helpers/secured-redis.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/*
 * Redis as operators secure it: an ACL user with a password (the default user off), and TLS with
 * a private CA trusted through NODE_EXTRA_CA_CERTS. The scaler and the servers it starts must
 * work through both, end to end: jobs done, fleet back to zero.
 */
describe('secured Redis', () => {
  for (const tls of [false, true]) {
    it(`${tls ? 'rediss:// (TLS) with' : 'redis:// with'} an ACL user: scaler and servers do the work`, async () => {
      const redis = await SecuredRedis.start({ tls });
      cleanups.push(() => redis.stop());
      const cluster = localCluster(tls ? 'tls' : 'acl', 'test/chaos/chaos-worker.ts', { maxServers: 2 });
      const config = { ...cluster.config, redis: { url: redis.url, bullmqPrefix: cluster.prefix } };
      const configPath = join(cluster.stateDir, 'secured.config.json');
      writeFileSync(configPath, JSON.stringify(config));
      const connection = new Redis(redis.url, { ...redis.clientOptions(), maxRetriesPerRequest: null });
      const queue = new Queue('alpha', { connection, prefix: cluster.prefix });
      cleanups.push(async () => {
        await queue.close();
        await connection.quit();
        await cluster.cleanup();
      });
      await queue.addBulk(Array.from({ length: 10 }, () => ({ name: 'job', data: { ms: 50 } })));
      // The servers inherit the scaler's environment, so they trust the same CA.
      const scaler = new ScalerProcess(configPath, tls ? { NODE_EXTRA_CA_CERTS: redis.caFile } : {});
      cleanups.push(async () => {
        await scaler.kill('SIGKILL');
      });

      await waitFor('every job done', async () => (await queue.getCompletedCount()) === 10);
      await waitFor(
        'the fleet back to zero',
        async () =>
          scaler.named('server.deleted').length > 0 &&
          (await connection.scard(`${cluster.prefix}:autoscaler:{${cluster.prefix}}:servers`)) === 0,
      );
      expect(scaler.named('server.ready').length).toBeGreaterThan(0);
      expect(await queue.getFailedCount()).toBe(0);
    });
  }

  it('a wrong password is refused with Redis’s own reason (WRONGPASS), the password not echoed', async () => {
    const redis = await SecuredRedis.start({ tls: false });
    cleanups.push(() => redis.stop());
    const cluster = localCluster('wrongpass', 'test/helpers/recording-worker.ts', {});
    cleanups.push(() => cluster.cleanup());
    const wrong = redis.url.replace(redis.password, 'not-the-password');
    const result = await runCli(['start', '--config', cluster.configFile()], { REDIS_URL: wrong });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: redis\.url: Redis at .* refused the credentials \(WRONGPASS/m);
    expect(result.stderr).not.toContain('not-the-password');
  });

  it('the default user is off: without the ACL password Redis answers nothing but NOAUTH', async () => {
    const redis = await SecuredRedis.start({ tls: false });
    cleanups.push(() => redis.stop());
    const ping = (...auth: string[]) =>
      execFileSync('redis-cli', ['-p', String(redis.port), ...auth, 'ping'], { encoding: 'utf8' }).trim();
    expect(ping()).toMatch(/^NOAUTH/);
    expect(ping('--user', redis.user, '--pass', redis.password, '--no-auth-warning')).toBe('PONG');
  });
});
