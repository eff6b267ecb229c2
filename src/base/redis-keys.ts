/**
 * Every Redis key the autoscaler reads or writes, in one place. Our own keys share one hash tag
 * per cluster so they stay in one slot under Redis Cluster; BullMQ's keys follow BullMQ's layout.
 */
export interface KeySpace {
  prefix: string;
  cluster: string;
}

/** Keys of one BullMQ queue, as BullMQ 6 lays them out. */
export function bullKeys(prefix: string, queue: string) {
  const base = `${prefix}:${queue}`;
  return {
    wait: `${base}:wait`,
    prioritized: `${base}:prioritized`,
    active: `${base}:active`,
    delayed: `${base}:delayed`,
    completed: `${base}:completed`,
    failed: `${base}:failed`,
    meta: `${base}:meta`,
    /** BullMQ INCRs it for every added job: its growth is the arrival count. */
    id: `${base}:id`,
    job: (jobId: string) => `${base}:${jobId}`,
  };
}

/** Keys of the scaler cluster's own state. */
export function scalerKeys({ prefix, cluster }: KeySpace) {
  const base = `${prefix}:autoscaler:{${cluster}}`;
  return {
    /** Set of the ids of every server record not yet closed. */
    servers: `${base}:servers`,
    server: (serverId: string) => `${base}:server:${serverId}`,
    /** Capped stream of every server transition with its reason. */
    audit: `${base}:audit`,
    /** Counter naming new servers, so ids never repeat across restarts. */
    sequence: `${base}:sequence`,
    /** Written by a server's worker, expiring: present means alive. */
    heartbeat: (serverId: string) => `${base}:heartbeat:${serverId}`,
    /** Set by the scaler: the server must stop taking jobs and exit. */
    drain: (serverId: string) => `${base}:drain:${serverId}`,
    /** Set by the server once its last job finished after a drain. */
    drained: (serverId: string) => `${base}:drained:${serverId}`,
    /** Set by a spot server told by EC2 that it will be taken back: it is draining itself. */
    interrupted: (serverId: string) => `${base}:interrupted:${serverId}`,
    /** Held by the active scaler: `<fencing token>:<instance>`, expiring unless renewed. */
    lease: `${base}:lease`,
    /** Incremented on every lease acquisition: a newer leader always has a larger token. */
    leaseToken: `${base}:lease-token`,
    /** An operator's pin of a pool's server count (`scale --pin`), expiring with it. */
    pin: (pool: string) => `${base}:pin:${pool}`,
    /** `rollout restart <pool>`: servers of the pool created before this time are replaced. */
    rolloutRestart: (pool: string) => `${base}:rollout-restart:${pool}`,
    /** The last decision per pool, for `status` and the status page. */
    lastDecision: (pool: string) => `${base}:decision:${pool}`,
    /** Consecutive failed creates and the pause that follows, per pool. */
    createFailures: (pool: string) => `${base}:create-failures:${pool}`,
    /** Ring of per-interval aggregates of one pool (`fine` 10 s for an hour, `coarse` 5 min for a day). */
    history: (pool: string, resolution: 'fine' | 'coarse') => `${base}:history:${resolution}:${pool}`,
    /** Capped list of a pool's changes of desired count, newest first, for the charts' markers. */
    historyMarks: (pool: string) => `${base}:history-marks:${pool}`,
    /** Hash: queue → learned runtime (ms), so a restarted scaler does not plan with the default. */
    learnedRuntimes: `${base}:learned-runtimes`,
    /** Hash: pool → its learned bursts (JSON), kept across restarts. */
    learnedBursts: `${base}:learned-bursts`,
    /** Sorted set of the provider API requests started in the last hour, scored by start time. */
    apiRequests: (provider: string) => `${base}:api-requests:${provider}`,
    /** Hash of the provider's per-minute budget cut after a 429 (`to`, `atMs`); it grows back by itself. */
    apiBudget: (provider: string) => `${base}:api-budget:${provider}`,
  };
}

export type ScalerKeys = ReturnType<typeof scalerKeys>;

/** BullMQ queue carrying our create/destroy jobs; never behind the user's own backlog. */
export function provisioningQueueName(cluster: string, hashTagged = false): string {
  // Under Redis Cluster with a prefix that has no hash tag, the name must carry one of its own so
  // that BullMQ's scripts find every key of the queue in one slot. Elsewhere the name stays as it
  // always was, so an upgrade finds the jobs already queued.
  return hashTagged
    ? `{bullmq-autoscaler.${cluster}}.provisioning`
    : `bullmq-autoscaler.${cluster}.provisioning`;
}
