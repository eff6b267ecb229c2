import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ownerTagOf } from '../../providers/provider.ts';
import { serverEnvToVariables } from '../../src/worker/server-env.ts';
import type { FakeDigitalOcean } from '../fakes/digitalocean-api.ts';
import type { FakeDroplet } from '../fakes/digitalocean-models.ts';

export interface DropletServersOptions {
  fake: FakeDigitalOcean;
  cluster: string;
  prefix: string;
  redisUrl: string;
  pool: string;
  queues: string[];
  slots: number;
  /** How long a droplet takes to turn active in the fake: the "boot". */
  activeAfterMs: number;
  /** Boot only droplets carrying this tag (one pool's), when several pools share the fake. */
  onlyTagged?: string;
}

const workerEntry = resolve('test/chaos/chaos-worker.ts');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * The servers' side of the fake DigitalOcean API: droplets in the fake run no code, so each one
 * that turns active gets a worker process (chaos-worker.ts) with the server id
 * parsed from its name `<cluster>-<serverId>`, as user_data would start it. A destroyed droplet's
 * process is SIGKILLed: a power cut, not a drain.
 */
export class DropletServers {
  /** Worker processes SIGKILLed while their droplet stayed up: servers that crashed mid-job. */
  crashed = 0;
  /** The server ids whose worker was SIGKILLed that way. */
  readonly crashedIds = new Set<string>();
  private readonly processes = new Map<number, ChildProcess>();
  private readonly started = new Set<number>();
  /** Server id by droplet id. */
  private readonly serverIds = new Map<number, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: DropletServersOptions) {}

  start(): void {
    this.timer = setInterval(() => this.sync(), 100);
  }

  /** Server ids with a worker process running. */
  running(): string[] {
    return [...this.serverIds.entries()].filter(([id]) => this.processes.has(id)).map(([, server]) => server);
  }

  /** SIGKILLs a server's worker; its droplet stays up, silent. */
  crash(serverId: string): boolean {
    const id = [...this.serverIds.entries()].find(([, server]) => server === serverId)?.[0];
    if (id === undefined || !this.processes.has(id)) return false;
    this.kill(id);
    this.crashed++;
    this.crashedIds.add(serverId);
    return true;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    const exits = [...this.processes.values()].map(
      (child) => new Promise((done) => (child.exitCode === null ? child.once('exit', done) : done(null))),
    );
    for (const id of [...this.processes.keys()]) this.kill(id);
    await Promise.all(exits);
  }

  private sync(): void {
    const owner = ownerTagOf(this.o.cluster);
    for (const droplet of this.o.fake.droplets.values()) {
      const mine = droplet.tags.includes(owner) && droplet.tags.includes(this.o.onlyTagged ?? owner);
      if (mine && this.isActive(droplet) && !this.started.has(droplet.id)) {
        this.boot(droplet);
      }
    }
    for (const id of [...this.processes.keys()]) if (!this.o.fake.droplets.has(id)) this.kill(id);
  }

  private isActive(droplet: FakeDroplet): boolean {
    return !droplet.neverActive && Date.now() - droplet.createdAtMs >= this.o.activeAfterMs;
  }

  private boot(droplet: FakeDroplet): void {
    this.started.add(droplet.id);
    const serverId = droplet.name.slice(`${this.o.cluster}-`.length);
    this.serverIds.set(droplet.id, serverId);
    const env = serverEnvToVariables({
      serverId,
      serverName: droplet.name,
      pool: this.o.pool,
      redisUrl: this.o.redisUrl,
      cluster: this.o.cluster,
      bullmqPrefix: this.o.prefix,
      queues: this.o.queues,
      slots: this.o.slots,
    });
    const child = spawn(process.execPath, ['--import', tsxLoader, workerEntry], {
      env: { PATH: process.env.PATH, ...env },
      stdio: 'ignore',
      shell: false,
    });
    child.once('exit', () => this.processes.delete(droplet.id));
    this.processes.set(droplet.id, child);
  }

  private kill(id: number): void {
    this.processes.get(id)?.kill('SIGKILL');
    this.processes.delete(id);
  }
}
