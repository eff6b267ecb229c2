import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createDigitalOceanProvider } from '../../providers/digitalocean/index.ts';
import { ownerTagOf } from '../../providers/provider.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { AutoscalerConfigInput } from '../../src/config/schema.ts';
import { FleetStore } from '../../src/fleet/fleet-store.ts';
import { FakeDigitalOcean } from '../fakes/digitalocean-api.ts';
import type { FakeDroplet } from '../fakes/digitalocean-models.ts';
import { deletePrefix } from '../helpers/redis.ts';
import { type ApiFaults, ChaosProxy } from './chaos-proxy.ts';
import { DropletServers } from './droplet-servers.ts';
import type { LifecycleInput } from './scenarios.ts';

export const queueName = 'alpha';
const template = '#!/bin/sh\nPOOL={{POOL}}\nREDIS_URL={{REDIS_URL}}\nQUEUES={{QUEUES}}\n';

export interface WorldOptions {
  prefix: string;
  redisUrl: string;
  random: () => number;
  faults: ApiFaults;
  /** Share of droplets that never turn active; the scaler's second droplet never does either. */
  neverActiveShare: number;
  lifecycle: LifecycleInput;
}

/**
 * One chaos run's world: a fake DigitalOcean API behind a fault-injecting proxy, worker processes
 * for its active droplets, a queue, and two droplets the scaler must never touch.
 */
export class World {
  readonly fake: FakeDigitalOcean;
  readonly proxy: ChaosProxy;
  readonly servers: DropletServers;
  readonly queue: Queue;
  readonly redis: Redis;
  readonly store: FleetStore;
  readonly config: AutoscalerConfigInput;
  readonly bystanders: FakeDroplet[];
  private readonly dir = mkdtempSync(join(tmpdir(), 'bullmq-autoscaler-chaos-'));

  private constructor(
    readonly o: WorldOptions,
    fake: FakeDigitalOcean,
    proxy: ChaosProxy,
  ) {
    this.fake = fake;
    this.proxy = proxy;
    const userDataFile = join(this.dir, 'user-data.sh');
    writeFileSync(userDataFile, template);
    this.config = chaosConfig(o, proxy.url, userDataFile);
    const pool = this.config.pools[0];
    this.servers = new DropletServers({
      fake,
      cluster: o.prefix,
      prefix: o.prefix,
      redisUrl: o.redisUrl,
      pool: pool?.name ?? 'main',
      queues: pool?.queues ?? [queueName],
      slots: pool?.slotsPerServer ?? 1,
      activeAfterMs,
    });
    this.queue = new Queue(queueName, { connection: { url: o.redisUrl }, prefix: o.prefix });
    this.queue.on('error', () => {});
    this.redis = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
    this.redis.on('error', () => {});
    this.store = new FleetStore(this.redis, { prefix: o.prefix, cluster: o.prefix });
    this.bystanders = [
      fake.seed('someone-elses-db', ['production']),
      fake.seed(`${o.prefix}-main-1`, ['bullmq-autoscaler-another-cluster']),
    ];
  }

  static async create(o: WorldOptions): Promise<World> {
    let created = 0;
    const fake = await new FakeDigitalOcean({
      dropletLimit: 200,
      activeAfterMs,
      neverActive: () => created++ === secondOwnedDroplet || o.random() < o.neverActiveShare,
    }).start();
    const proxy = await new ChaosProxy(fake.url, o.random).start();
    proxy.faults = o.faults;
    const world = new World(o, fake, proxy);
    world.servers.start();
    return world;
  }

  /** The provider an in-process scaler uses: the real DigitalOcean provider, aimed at the proxy. */
  provider() {
    const config = parseConfig(this.config, {});
    if (config.provider.type !== 'digitalocean') throw new Error('chaos runs use the digitalocean provider');
    return createDigitalOceanProvider(
      { ...config.provider, cluster: config.cluster },
      { DIGITALOCEAN_TOKEN: this.fake.token },
    );
  }

  /** The config as a file, for scalers started as processes. */
  configFile(): string {
    const path = join(this.dir, 'autoscaler.config.json');
    writeFileSync(path, JSON.stringify(this.config));
    return path;
  }

  ownedDroplets(): FakeDroplet[] {
    const owner = ownerTagOf(this.o.prefix);
    return [...this.fake.droplets.values()].filter((d) => d.tags.includes(owner));
  }

  async close(): Promise<void> {
    await this.servers.stop();
    await this.queue.close();
    await this.proxy.close();
    await this.fake.close();
    await deletePrefix(this.o.redisUrl, this.o.prefix).catch(() => {});
    await this.redis.quit().catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const activeAfterMs = 300;
/** Every run sees at least one stuck droplet; the two bystanders are seeded first. */
const secondOwnedDroplet = 3;
export const requestsPerMinute = 120;

/** Short deadlines so every failure path (hang, heartbeat loss, drain deadline) runs in seconds. */
function chaosConfig(o: WorldOptions, apiUrl: string, userDataFile: string): AutoscalerConfigInput {
  return {
    cluster: o.prefix,
    redis: { url: o.redisUrl, bullmqPrefix: o.prefix },
    tickMs: 200,
    maxServersTotal: 6,
    createFailureBackoffMs: 1_000,
    lifecycle: {
      // Worker processes start through tsx: on a loaded 2-core machine that alone can take seconds.
      bootTimeoutMs: 15_000,
      createTimeoutMs: 30_000,
      drainTimeoutMs: 4_000,
      heartbeatLostMs: 3_000,
      // Short enough that a SIGKILLed scaler's successor leads within seconds; it must outlast a
      // tick's provider calls, or the tick is fenced (docs/reliability.md).
      leaseTtlMs: 3_000,
      reconcileEveryTicks: 5,
      orphanGraceMs: 1_000,
      stalledCheckMs: 500,
      circuitBreakerFailures: 5,
      ...o.lifecycle,
    },
    provider: {
      type: 'digitalocean',
      apiUrl,
      region: 'nyc3',
      size: 's-1vcpu-1gb',
      snapshot: 'worker-base',
      userDataFile,
      requestsPerMinute,
      requestsPerHour: 5_000,
      requestTimeoutMs: 5_000,
    },
    pools: [
      {
        name: 'main',
        queues: [queueName],
        slotsPerServer: 2,
        maxServers: 4,
        targetWaitMs: 2_000,
        bootSeconds: 2,
        scaleDownDelayMs: 1_000,
        idleToZeroMs: 1_500,
        defaultRuntimeMs: 200,
      },
    ],
    log: { level: 'debug', summaryEveryMs: 0 },
  };
}
