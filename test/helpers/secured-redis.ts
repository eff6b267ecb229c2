import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { freePort } from '../../src/dev/ensure-redis.ts';

/**
 * A redis-server of the test's own that only an ACL user with a password may use (the default
 * user is off), optionally over TLS only, with a throwaway CA made by openssl.
 */
export class SecuredRedis {
  readonly user = 'scaler';
  readonly password = `pw-${randomBytes(12).toString('hex')}`;
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'bullmq-autoscaler-secured-'));

  private constructor(
    readonly port: number,
    readonly tls: boolean,
  ) {}

  static async start(options: { tls: boolean }): Promise<SecuredRedis> {
    const redis = new SecuredRedis(await freePort(), options.tls);
    if (options.tls) redis.makeCertificates();
    redis.child = spawn('redis-server', redis.args(), { stdio: 'ignore' });
    await redis.waitUntilReady();
    return redis;
  }

  /** The CA the server's certificate chains to: NODE_EXTRA_CA_CERTS for processes that connect. */
  get caFile(): string {
    return join(this.dir, 'ca.crt');
  }

  get url(): string {
    return `${this.tls ? 'rediss' : 'redis'}://${this.user}:${this.password}@127.0.0.1:${this.port}`;
  }

  /** Client options that trust the throwaway CA, for this test process's own clients. */
  clientOptions(): RedisOptions {
    return this.tls ? { tls: { ca: readFileSync(this.caFile) } } : {};
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child !== undefined && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private args(): string[] {
    const common = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir];
    const acl = [
      '--user',
      'default',
      'off',
      '--user',
      this.user,
      'on',
      `>${this.password}`,
      '~*',
      '&*',
      '+@all',
    ];
    const port = this.tls
      ? [
          '--port',
          '0',
          '--tls-port',
          String(this.port),
          '--tls-cert-file',
          join(this.dir, 'server.crt'),
          '--tls-key-file',
          join(this.dir, 'server.key'),
          '--tls-ca-cert-file',
          this.caFile,
          '--tls-auth-clients',
          'no',
        ]
      : ['--port', String(this.port)];
    return [...port, ...common, ...acl];
  }

  private makeCertificates(): void {
    const at = (name: string) => join(this.dir, name);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=throwaway-ca',
      '-keyout',
      at('ca.key'),
      '-out',
      this.caFile,
    );
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      at('server.key'),
      '-out',
      at('server.csr'),
    );
    writeFileSync(at('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    openssl(
      'x509',
      '-req',
      '-in',
      at('server.csr'),
      '-CA',
      this.caFile,
      '-CAkey',
      at('ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      at('ext.cnf'),
      '-out',
      at('server.crt'),
    );
  }

  private async waitUntilReady(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const client = new Redis(this.url, {
        ...this.clientOptions(),
        lazyConnect: true,
        retryStrategy: () => null,
      });
      client.on('error', () => {});
      const ok = await client
        .connect()
        .then(() => client.ping())
        .then(
          () => true,
          () => false,
        );
      client.disconnect();
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server on ${this.port} did not come up${this.tls ? ' with TLS' : ''}`);
  }
}
