import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serverEnvToVariables } from '../../src/worker/server-env.ts';
import type { FakeEc2 } from '../fakes/ec2-api.ts';

export interface Ec2ServersOptions {
  fake: FakeEc2;
  cluster: string;
  redisUrl: string;
  queues: string[];
  slots: number;
  /** Environment every server gets besides its own, as user_data writes it (the IMDS watch). */
  extraEnv: Record<string, string>;
}

const workerEntry = resolve('test/helpers/recording-worker.ts');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * The servers' side of the fake EC2 API: instances run no code, so each of this cluster's that has
 * its server id tag gets a worker process, as the AMI's unit would start it from user_data. A
 * terminated instance's process is SIGKILLed: EC2 powers it off.
 */
export class Ec2Servers {
  private readonly processes = new Map<string, ChildProcess>();
  private readonly started = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: Ec2ServersOptions) {}

  start(): void {
    this.timer = setInterval(() => this.sync(), 100);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    const exits = [...this.processes.values()].map(
      (child) => new Promise((done) => (child.exitCode === null ? child.once('exit', done) : done(null))),
    );
    for (const child of this.processes.values()) child.kill('SIGKILL');
    await Promise.all(exits);
  }

  private sync(): void {
    for (const instance of this.o.fake.instances.values()) {
      const serverId = instance.tags.get('bullmq-autoscaler:server-id');
      const mine = instance.tags.get('bullmq-autoscaler:cluster') === this.o.cluster;
      if (mine && serverId && instance.state !== 'terminated' && !this.started.has(instance.instanceId)) {
        this.boot(
          instance.instanceId,
          serverId,
          instance.tags.get('Name') ?? serverId,
          instance.tags.get('bullmq-autoscaler:pool') ?? '',
        );
      }
      if (instance.state === 'terminated') this.processes.get(instance.instanceId)?.kill('SIGKILL');
    }
  }

  private boot(instanceId: string, serverId: string, serverName: string, pool: string): void {
    this.started.add(instanceId);
    const env = serverEnvToVariables({
      serverId,
      serverName,
      pool,
      redisUrl: this.o.redisUrl,
      cluster: this.o.cluster,
      bullmqPrefix: this.o.cluster,
      queues: this.o.queues,
      slots: this.o.slots,
    });
    const child = spawn(process.execPath, ['--import', tsxLoader, workerEntry], {
      env: { PATH: process.env.PATH, ...env, ...this.o.extraEnv },
      stdio: 'ignore',
      shell: false,
    });
    child.once('exit', () => this.processes.delete(instanceId));
    this.processes.set(instanceId, child);
  }
}
