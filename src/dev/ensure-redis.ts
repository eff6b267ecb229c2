import { spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { redactUrlsIn } from '../base/redact.ts';

export const defaultRedisUrl = 'redis://127.0.0.1:6379';

export interface RedisHandle {
  url: string;
  /** True when we started a throwaway redis-server that stop() will end. */
  started: boolean;
  stop(): Promise<void>;
}

export class NoRedisError extends Error {
  constructor(url: string) {
    super(
      `No Redis answers at ${redactUrlsIn(url)} and no redis-server is on PATH. Start one with ` +
        '`docker compose up -d redis`, `sudo apt-get install -y redis-server`, or `brew install redis`, ' +
        'or point REDIS_URL at yours.',
    );
    this.name = 'NoRedisError';
  }
}

/** Uses the Redis at `url` when it answers; otherwise starts a throwaway one on a free loopback port. */
export async function ensureRedis(
  url: string = process.env.REDIS_URL ?? defaultRedisUrl,
): Promise<RedisHandle> {
  if (await answersPing(url)) return { url, started: false, stop: async () => {} };
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) throw new NoRedisError(url);
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const ownUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100 && !(await answersPing(ownUrl)); i++) await sleep(50);
  if (!(await answersPing(ownUrl))) {
    child.kill('SIGKILL');
    throw new NoRedisError(url);
  }
  return {
    url: ownUrl,
    started: true,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A bare RESP PING, so this check needs no client library and works before anything else loads. */
export function answersPing(url: string, timeoutMs = 500): Promise<boolean> {
  const { hostname, port, password, username } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => {
      const auth = password
        ? respCommand([
            'AUTH',
            ...(username ? [decodeURIComponent(username)] : []),
            decodeURIComponent(password),
          ])
        : '';
      socket.write(`${auth}${respCommand(['PING'])}`);
    });
    let reply = '';
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('+PONG')) done(true);
      else if (reply.startsWith('-')) done(false);
    });
  });
}

function respCommand(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
