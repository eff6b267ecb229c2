import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answersPing } from '../../src/dev/ensure-redis.ts';

/** Redis processes a test started, in a folder of their own; stop() ends them all and removes it. */
export class RedisProcesses {
  readonly dir = mkdtempSync(join(tmpdir(), 'bullmq-autoscaler-redis-set-'));
  private readonly children = new Map<number, ChildProcess>();

  /** Starts `command args` (redis-server or redis-sentinel) and waits until the port answers PING. */
  async start(command: string, port: number, args: string[]): Promise<void> {
    const child = spawn(command, args, { stdio: 'ignore', cwd: this.dir });
    this.children.set(port, child);
    const url = `redis://127.0.0.1:${port}`;
    for (let i = 0; i < 200 && !(await answersPing(url)); i++) await sleep(50);
    if (!(await answersPing(url))) throw new Error(`${command} on port ${port} did not answer PING`);
  }

  /**
   * A redis-server on a loopback port with a folder of its own and no persistence, plus `extra`
   * arguments (`--cluster-enabled yes`, `--replicaof …`), which may name files in its folder.
   */
  async startServer(port: number, extra: (dir: string) => string[] = () => []): Promise<void> {
    const dir = join(this.dir, String(port));
    mkdirSync(dir);
    await this.start('redis-server', port, [
      ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
      ...['--save', '', '--appendonly', 'no'],
      ...extra(dir),
    ]);
  }

  /** SIGKILL: the process dies as a crashed host would, mid-write, without a goodbye. */
  async kill(port: number): Promise<void> {
    const child = this.children.get(port);
    this.children.delete(port);
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** SIGSTOP / SIGCONT: a process that neither answers nor dies, like a host cut off the network. */
  signal(port: number, signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.children.get(port)?.kill(signal);
  }

  async stop(): Promise<void> {
    for (const port of this.children.keys()) this.signal(port, 'SIGCONT');
    await Promise.all([...this.children.keys()].map((port) => this.kill(port)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Loopback ports nobody listens on, `count` of them, each with port + `offset` free too (a Cluster
 * node's bus port is its port + 10000), picked below the kernel's ephemeral range.
 */
export async function freePorts(count: number, offset = 0): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (ports.includes(port) || ports.includes(port + offset)) continue;
    if ((await portFree(port)) && (offset === 0 || (await portFree(port + offset)))) ports.push(port);
  }
  return ports;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** redis-cli against one port; its trimmed output. */
export function redisCli(port: number, args: string[]): string {
  return spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout.trim();
}

/** Whether a command is on PATH (redis-sentinel comes from its own Debian package). */
export function installed(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
