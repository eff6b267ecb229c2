import { type Job, type JobsOptions, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import {
  type CreatedServer,
  type Provider,
  ProviderError,
  type ServerSpec,
} from '../../providers/provider.ts';
import { messageOf } from '../base/errors.ts';
import { hasHashTag, type RedisClient } from '../base/redis-connection.ts';
import { provisioningQueueName } from '../base/redis-keys.ts';
import type { ScalingEvent } from '../core/events.ts';
import { createBackoffMs } from '../core/plan.ts';
import type { FleetStore } from '../fleet/fleet-store.ts';
import type { ServerRecord } from '../fleet/server-record.ts';

type ProvisioningJob =
  | { type: 'create'; pool: string; serverIds: string[] }
  | { type: 'destroy'; serverId: string };

export interface ProvisionerOptions {
  redis: RedisClient;
  store: FleetStore;
  provider: Provider;
  prefix: string;
  cluster: string;
  /** Builds what the provider needs for a record: name, tags and the worker's environment. */
  specOf: (record: ServerRecord) => ServerSpec;
  createFailureBackoffMs: number;
  /** First wait before a failed provider call is retried; BullMQ doubles it per attempt. */
  retryBaseMs: number;
  /** Consecutive failed creates after which the pool's circuit opens (an alert, and a longer pause). */
  circuitBreakerFailures: number;
  emit: (event: ScalingEvent) => void;
  now: () => number;
}

/** Attempts per provisioning job; BullMQ spaces them with exponential backoff. */
const createAttempts = 4;
const destroyAttempts = 10;
/**
 * A job of a SIGKILLed scaler is picked up again once its lock lapses; short locks keep a
 * restarted scaler from waiting half a minute for its own creates.
 */
const jobLockMs = 10_000;
/** Scaler crashes one provisioning job may live through; far more than any real incident. */
const stallsAllowed = 1_000;

/**
 * Runs creates and destroys as jobs on our own BullMQ queue. Job ids derive from server ids, so
 * a restarted or duplicated scaler enqueuing the same work again is a no-op.
 */
export class Provisioner {
  readonly queue: Queue<ProvisioningJob>;
  private worker: Worker<ProvisioningJob> | undefined;

  constructor(private readonly o: ProvisionerOptions) {
    const tagName = o.redis instanceof Cluster && !hasHashTag(o.prefix);
    this.queue = new Queue<ProvisioningJob>(provisioningQueueName(o.cluster, tagName), {
      connection: o.redis,
      prefix: o.prefix,
    });
    // Unheard, BullMQ prints a raw stack into the JSON log for every failed reconnect; outages
    // surface through the tick instead.
    this.queue.on('error', () => {});
  }

  /** Only the leader runs provisioning jobs, so every fleet write they make carries its fence. */
  startWorker(): void {
    if (this.worker) return;
    const worker = new Worker<ProvisioningJob>(this.queue.name, (job) => this.run(job), {
      connection: this.o.redis,
      prefix: this.o.prefix,
      concurrency: 8,
      lockDuration: jobLockMs,
      stalledInterval: jobLockMs / 2,
      // A job stalls when its scaler dies mid-job, not when the provider fails; repeating one is
      // safe (it resumes only the servers it claimed, and the provider looks names up first), so a
      // run of scaler crashes must not fail it and count as failed creates.
      maxStalledCount: stallsAllowed,
    });
    worker.on('failed', (job, error) => void this.onFinalFailure(job, error).catch(() => {}));
    // Redis outages surface through the tick; the worker reconnects by itself.
    worker.on('error', () => {});
    this.worker = worker;
  }

  /** Waits for running jobs to finish, then stops taking new ones. */
  async stopWorker(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.close();
  }

  async requestCreate(pool: string, serverIds: string[]): Promise<void> {
    for (let i = 0; i < serverIds.length; i += this.o.provider.maxBatch) {
      const batch = serverIds.slice(i, i + this.o.provider.maxBatch);
      const job = { type: 'create', pool, serverIds: batch } as const;
      await this.queue.add('create', job, this.jobOptions(`create-${batch[0]}`, createAttempts));
    }
  }

  async requestDestroy(serverId: string): Promise<void> {
    const job = { type: 'destroy', serverId } as const;
    await this.queue.add('destroy', job, this.jobOptions(`destroy-${serverId}`, destroyAttempts));
  }

  private jobOptions(jobId: string, attempts: number): JobsOptions {
    return {
      jobId,
      attempts,
      backoff: { type: 'exponential', delay: this.o.retryBaseMs },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 7 * 86400 },
    };
  }

  /** Creates are paused in a pool after failures until this time. */
  async createBlockedUntil(pool: string): Promise<number | undefined> {
    const value = await this.o.redis.hget(this.o.store.keys.createFailures(pool), 'blockedUntilMs');
    return value === null ? undefined : Number(value);
  }

  async close(): Promise<void> {
    await this.stopWorker();
    await this.queue.close();
  }

  private async run(job: Job<ProvisioningJob>): Promise<void> {
    try {
      if (job.data.type === 'create') await this.create(job.data.pool, job.data.serverIds, job.id ?? '');
      else await this.destroy(job.data.serverId);
    } catch (error) {
      // Every failed try is a warning with its count: a create or destroy retried in silence
      // hides a provider problem until the last try gives up. (Redis failures show in the tick.)
      const fromProvider = error instanceof ProviderError || error instanceof UnrecoverableError;
      if (fromProvider) this.emitProviderError(job, error);
      throw error;
    }
  }

  private emitProviderError(job: Job<ProvisioningJob>, error: ProviderError | UnrecoverableError): void {
    this.o.emit({
      event: 'provider.error',
      operation: job.data.type,
      error: messageOf(error),
      retryable: error instanceof ProviderError && error.retryable,
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
    });
  }

  private async create(pool: string, serverIds: string[], jobId: string): Promise<void> {
    const now = this.o.now();
    const records: ServerRecord[] = [];
    for (const id of serverIds) {
      const record = await this.o.store.get(id);
      const claimed =
        record?.state === 'requested' &&
        (await this.o.store.transition(id, 'creating', 'create call', now, {
          createCalledAtMs: now,
          createJobId: jobId,
        }));
      // A retry or a restarted job resumes only the servers this very job claimed: two jobs must
      // never both create the same server. The provider looks the name up before creating again.
      const resumed = record?.state === 'creating' && record.createJobId === jobId;
      if (record && (claimed || resumed)) records.push(record);
    }
    if (records.length === 0) return;
    try {
      // Checked again right before buying: a long create (retries, API budget waits) can outlive
      // the claim, and a server adopted and replaced meanwhile must not be bought twice.
      const mayCreate = (ids: string[]) => this.o.store.creatableBy(jobId, ids);
      const created = await this.o.provider.create(records.map(this.o.specOf), { mayCreate });
      await this.markCreated(pool, created, now);
    } catch (error) {
      if (error instanceof ProviderError) await this.markCreated(pool, error.created, now);
      // Retrying a request the provider rejected for good (bad size, quota) only burns API budget.
      throw isRetryable(error) ? error : new UnrecoverableError(messageOf(error));
    }
  }

  private async markCreated(pool: string, created: CreatedServer[], startedAtMs: number): Promise<void> {
    const now = this.o.now();
    for (const { serverId, providerId, region, image } of created) {
      const placed = {
        ...(region === undefined ? {} : { region }),
        ...(image === undefined ? {} : { image }),
      };
      if (await this.o.store.transition(serverId, 'booting', 'created', now, { providerId, ...placed })) {
        this.o.emit({ event: 'server.created', pool, serverId, providerId, createMs: now - startedAtMs });
      }
    }
  }

  private async destroy(serverId: string): Promise<void> {
    const record = await this.o.store.get(serverId);
    if (record === undefined) return;
    // A scaler killed between marking the record deleted and closing it leaves it in the live set;
    // the retried job must still close it (chaos scaler-sigkill, seed 21024: a deleted record left
    // for good, the fleet never empty again). close() is idempotent.
    if (record.state === 'deleted') {
      await this.o.store.close(serverId);
      return;
    }
    if (record.providerId !== undefined) await this.o.provider.destroy(record.providerId);
    await this.o.store.transition(serverId, 'deleted', 'destroyed', this.o.now());
    await this.o.store.close(serverId);
    this.o.emit({
      event: 'server.deleted',
      pool: record.pool,
      serverId,
      lifetimeMs: this.o.now() - record.createdAtMs,
    });
  }

  /** Called on every failed attempt; acts only once BullMQ has given up on the job. */
  private async onFinalFailure(job: Job<ProvisioningJob> | undefined, error: Error): Promise<void> {
    if (job === undefined || (await job.getState()) !== 'failed') return;
    if (job.data.type === 'destroy') {
      // A server that will not go away still bills: mark it hanging and free the job id, so the
      // lifecycle enqueues a fresh destroy (with its own backoff) instead of giving up.
      const { serverId } = job.data;
      const reason = `destroy failed ${job.attemptsMade} times: ${error.message}`;
      const record = await this.o.store.get(serverId);
      if (await this.o.store.transition(serverId, 'hanging', reason, this.o.now())) {
        this.o.emit({ event: 'server.hanging', pool: record?.pool ?? '', serverId, reason });
      }
      await job.remove();
      return;
    }
    const { pool, serverIds } = job.data;
    for (const id of serverIds) {
      if (await this.o.store.transition(id, 'failed', `create failed: ${error.message}`, this.o.now())) {
        this.o.emit({
          event: 'server.failed',
          pool,
          serverId: id,
          reason: `create failed: ${error.message}`,
        });
      }
    }
    await this.recordCreateFailure(pool);
  }

  /** A server became ready: creating in its pool works again, whatever failed before. */
  async recordCreateSuccess(pool: string): Promise<void> {
    await this.o.redis.del(this.o.store.keys.createFailures(pool));
  }

  /**
   * A create failed, or its server never became ready (a broken snapshot boots nothing): either
   * way buying another server right away would only repeat the bill, so creates pause, longer each time.
   */
  async recordCreateFailure(pool: string): Promise<void> {
    const key = this.o.store.keys.createFailures(pool);
    const failures = await this.o.redis.hincrby(key, 'count', 1);
    const blockedUntilMs = this.o.now() + createBackoffMs(failures, this.o.createFailureBackoffMs);
    await this.o.redis.hset(key, 'blockedUntilMs', String(blockedUntilMs));
    if (failures >= this.o.circuitBreakerFailures) {
      this.o.emit({ event: 'circuit.open', pool, failures, untilMs: blockedUntilMs });
    }
  }
}

function isRetryable(error: unknown): boolean {
  return error instanceof ProviderError ? error.retryable : true;
}
