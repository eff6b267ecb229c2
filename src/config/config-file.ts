// Generated from the config schema by `npm run generate:config`; a test fails when it drifts.
// Edit the .describe() texts in src/config/*schema*.ts, then regenerate.

/** A bullmq-autoscaler config file, as `defineConfig()` takes it. Options with a default may be left out. */
export interface AutoscalerConfigFile {
  /**
   * Path or URL of this JSON Schema (docs/config.schema.json), for editors; the scaler ignores it.
   */
  $schema?: string;
  /**
   * Scaler cluster name; it forms the ownership tag of every server.
   * @default "default"
   */
  cluster?: string;
  /**
   * Where the BullMQ queues live: one of url, cluster or sentinel.
   * @default {"tls":false,"bullmqPrefix":"bull"}
   */
  redis?: {
    /**
     * One Redis, redis:// or rediss:// (TLS), password included (env REDIS_URL); redis://127.0.0.1:6379 when no form is given.
     */
    url?: string;
    /**
     * A Redis Cluster, through ioredis’s Cluster client. BullMQ needs a hash tag: see bullmqPrefix.
     */
    cluster?: {
      /**
       * Some nodes of the Redis Cluster; the others are discovered.
       */
      nodes: Array<{
        /**
         * Host name or IP address.
         */
        host: string;
        /**
         * TCP port.
         * Range: ≥ 1, ≤ 65535, whole numbers.
         */
        port: number;
      }>;
      /**
       * Maps "host:port" the nodes announce to where this process and the servers reach them.
       */
      natMap?: Record<string, {
        /**
         * Host name or IP address.
         */
        host: string;
        /**
         * TCP port.
         * Range: ≥ 1, ≤ 65535, whole numbers.
         */
        port: number;
      }>;
    };
    /**
     * A Sentinel-managed master set, through ioredis’s Sentinel support; failovers are followed.
     */
    sentinel?: {
      /**
       * Some of the Sentinels watching the master set.
       */
      sentinels: Array<{
        /**
         * Host name or IP address.
         */
        host: string;
        /**
         * TCP port.
         * Range: ≥ 1, ≤ 65535, whole numbers.
         */
        port: number;
      }>;
      /**
       * The master set’s name as the Sentinels know it.
       */
      name: string;
      /**
       * The scaler and its workers write, so they always connect to the master.
       * @default "master"
       */
      role?: "master";
      /**
       * Environment variable holding the Sentinels’ own password, when they require one.
       */
      sentinelPasswordEnv?: string;
    };
    /**
     * ACL user, for the cluster or sentinel forms.
     */
    username?: string;
    /**
     * Environment variable holding the password, for the cluster or sentinel forms.
     */
    passwordEnv?: string;
    /**
     * TLS to every node (and to the Sentinels), for those forms.
     * @default false
     */
    tls?: boolean;
    /**
     * Replicas that must confirm the leader lease (Redis WAIT) before a scaler acts on it; 1 with sentinel, else 0.
     * Range: ≥ 0, ≤ 16, whole numbers.
     */
    leaseReplicas?: number;
    /**
     * The BullMQ key prefix of your queues; under Redis Cluster it needs a hash tag, e.g. "{bull}".
     * @default "bull"
     */
    bullmqPrefix?: string;
  };
  /**
   * How often the scaler samples and decides.
   * Range: ≥ 100, ≤ 60000, whole numbers.
   * @default 1000
   */
  tickMs?: number;
  /**
   * Global cap over all pools: no decision can exceed it.
   * Range: ≥ 0, ≤ 10000, whole numbers.
   * @default 20
   */
  maxServersTotal?: number;
  /**
   * Cap on what all servers together may cost per hour (USD, from the provider’s prices).
   * Range: > 0.
   */
  maxHourlyCostUsd?: number;
  /**
   * First pause after a failed create; doubles per failure.
   * Range: ≥ 0, ≤ 604800000, whole numbers.
   * @default 30000
   */
  createFailureBackoffMs?: number;
  /**
   * Server lifecycle deadlines, the leader lease and the reconciler.
   * @default {"bootTimeoutMs":600000,"createTimeoutMs":300000,"drainTimeoutMs":900000,"heartbeatLostMs":30000,"leaseTtlMs":10000,"reconcileEveryTicks":30,"orphanGraceMs":300000,"adoptOrphans":false,"circuitBreakerFailures":3,"stalledCheckMs":5000,"provisioningRetryMs":2000}
   */
  lifecycle?: {
    /**
     * A server not ready this long after the provider created it is hanging, and is replaced.
     * Range: ≥ 1000, ≤ 604800000, whole numbers.
     * @default 600000
     */
    bootTimeoutMs?: number;
    /**
     * A create call unanswered this long is hanging.
     * Range: ≥ 1000, ≤ 604800000, whole numbers.
     * @default 300000
     */
    createTimeoutMs?: number;
    /**
     * A draining server is destroyed anyway after this long; its jobs return to the queue.
     * Range: ≥ 1000, ≤ 604800000, whole numbers.
     * @default 900000
     */
    drainTimeoutMs?: number;
    /**
     * A ready server silent this long has failed, and is replaced. After a Redis outage or a lease taken over, silence counts only from when Redis answered again (plus 2 s for the workers to reconnect).
     * Range: ≥ 1000, ≤ 604800000, whole numbers.
     * @default 30000
     */
    heartbeatLostMs?: number;
    /**
     * Leader lease lifetime: a standby takes over within it after the leader dies. Renewed three times per lifetime on its own timer; at least 2 × tickMs.
     * Range: ≥ 1000, ≤ 604800000, whole numbers.
     * @default 10000
     */
    leaseTtlMs?: number;
    /**
     * Compare the provider’s tagged servers with the records every this many ticks.
     * Range: ≥ 1, ≤ 10000, whole numbers.
     * @default 30
     */
    reconcileEveryTicks?: number;
    /**
     * A tagged server without a record is left alone this long before it is deleted (or adopted).
     * Range: ≥ 0, ≤ 604800000, whole numbers.
     * @default 300000
     */
    orphanGraceMs?: number;
    /**
     * Adopt tagged servers without a record instead of deleting them.
     * @default false
     */
    adoptOrphans?: boolean;
    /**
     * Consecutive failed creates in a pool that open its circuit (an alert).
     * Range: ≥ 1, ≤ 1000, whole numbers.
     * @default 3
     */
    circuitBreakerFailures?: number;
    /**
     * First wait before a failed create or destroy call is retried; doubles per attempt.
     * Range: ≥ 10, ≤ 604800000, whole numbers.
     * @default 2000
     */
    provisioningRetryMs?: number;
    /**
     * How often dead servers’ jobs are checked for; also each worker’s BullMQ lock and stalled-check period (STALLED_CHECK_MS), so a dead server’s jobs return within about twice this.
     * Range: ≥ 100, ≤ 604800000, whole numbers.
     * @default 5000
     */
    stalledCheckMs?: number;
  };
  /**
   * Where servers come from: "local-process" (child processes, for development) or "digitalocean" (droplets).
   */
  provider: {
    /**
     * Each "server" is a child process on this machine: for development, demos and tests.
     */
    type: "local-process";
    /**
     * Script each local "server" runs (it calls runServerWorker()).
     */
    workerEntry: string;
    /**
     * Delay before the worker starts, imitating a cloud boot.
     * Range: ≥ 0, ≤ 604800000, whole numbers.
     * @default 3000
     */
    bootDelayMs?: number;
    /**
     * Where the provider keeps its process records.
     * @default ".autoscaler-local"
     */
    stateDir?: string;
    /**
     * How long destroying a server waits after SIGTERM before SIGKILL.
     * Range: ≥ 0, ≤ 604800000, whole numbers.
     * @default 30000
     */
    killGraceMs?: number;
    /**
     * Named server types, each overriding workerEntry and bootDelayMs; a pool picks one.
     * @default {}
     */
    serverTypes?: Record<string, {
      /**
       * Script servers of this type run.
       */
      workerEntry?: string;
      /**
       * Boot delay of servers of this type.
       * Range: ≥ 0, ≤ 604800000, whole numbers.
       */
      bootDelayMs?: number;
    }>;
  } | {
    /**
     * Each server is a DigitalOcean droplet booted from your snapshot.
     */
    type: "digitalocean";
    /**
     * Name of the environment variable holding the API token; the token never goes in the config.
     * @default "DIGITALOCEAN_TOKEN"
     */
    tokenEnv?: string;
    /**
     * API base URL, for proxies and tests; default env DIGITALOCEAN_API_URL, else the real API.
     */
    apiUrl?: string;
    /**
     * Region slug the droplets are created in, e.g. "fra1".
     */
    region?: string;
    /**
     * Regions in order of preference (instead of region): a region without capacity for the size is skipped for regionCoolOffMs.
     */
    regions?: Array<string>;
    /**
     * Droplet size slug, e.g. "s-2vcpu-4gb".
     */
    size: string;
    /**
     * Snapshot the droplets boot from: its numeric id, or its name (the newest of that name).
     */
    snapshot: number | string;
    /**
     * VPC to place droplets in; default the region’s default VPC.
     */
    vpcUuid?: string;
    /**
     * SSH key ids or fingerprints installed on every droplet.
     * @default []
     */
    sshKeys?: Array<number | string>;
    /**
     * Install the DigitalOcean monitoring agent at boot.
     * @default false
     */
    monitoring?: boolean;
    /**
     * Extra tags on every droplet, after the ownership and pool tags.
     * @default []
     */
    tags?: Array<string>;
    /**
     * Template of the user_data script; placeholders like {{REDIS_URL}} are shell-quoted.
     */
    userDataFile: string;
    /**
     * Your own values for the template, used as {{vars.NAME}}.
     * @default {}
     */
    userDataVars?: Record<string, string>;
    /**
     * Named server types: each overrides any droplet setting above (size, snapshot, regions, userDataFile, …); a pool picks one with serverType.
     * @default {}
     */
    serverTypes?: Record<string, {
      /**
       * This type’s region; unset: the provider block’s.
       */
      region?: string;
      /**
       * This type’s regions; unset: the provider block’s.
       */
      regions?: Array<string>;
      /**
       * This type’s size; unset: the provider block’s.
       */
      size?: string;
      /**
       * This type’s snapshot; unset: the provider block’s.
       */
      snapshot?: number | string;
      /**
       * This type’s vpcUuid; unset: the provider block’s.
       */
      vpcUuid?: string;
      /**
       * This type’s sshKeys; unset: the provider block’s.
       */
      sshKeys?: Array<number | string>;
      /**
       * This type’s monitoring; unset: the provider block’s.
       */
      monitoring?: boolean;
      /**
       * This type’s tags; unset: the provider block’s.
       */
      tags?: Array<string>;
      /**
       * This type’s userDataFile; unset: the provider block’s.
       */
      userDataFile?: string;
      /**
       * This type’s userDataVars; unset: the provider block’s.
       */
      userDataVars?: Record<string, string>;
    }>;
    /**
     * How often a snapshot given by name is looked up again, so a new snapshot of that name starts a rollout without a restart.
     * Range: ≥ 1000, whole numbers.
     * @default 300000
     */
    imageCheckMs?: number;
    /**
     * After a region refuses a size for lack of capacity, creates of that size skip it this long and go to the next region.
     * Range: ≥ 0, whole numbers.
     * @default 900000
     */
    regionCoolOffMs?: number;
    /**
     * Client-side cap on API requests per minute (DigitalOcean allows 250); a 429 halves it for a while, then it grows back.
     * Range: ≥ 1, ≤ 250, whole numbers.
     * @default 200
     */
    requestsPerMinute?: number;
    /**
     * Client-side cap on API requests per hour (DigitalOcean allows 5,000).
     * Range: ≥ 1, ≤ 5000, whole numbers.
     * @default 4500
     */
    requestsPerHour?: number;
    /**
     * A request without an answer after this long fails and may be retried. At most a minute: the API budget counts a request until its answer.
     * Range: ≥ 1, ≤ 60000, whole numbers.
     * @default 30000
     */
    requestTimeoutMs?: number;
    /**
     * Tries per create batch, the first included; each retry first checks the droplets do not exist.
     * Range: ≥ 1, ≤ 10, whole numbers.
     * @default 4
     */
    createMaxAttempts?: number;
  } | {
    /**
     * EC2 instances from your AMI or launch template; needs the optional dependency @aws-sdk/client-ec2.
     */
    type: "aws-ec2";
    /**
     * AWS region, e.g. "eu-central-1". Credentials come from the AWS SDK’s default chain (env, profile, instance role), never from this file.
     */
    region: string;
    /**
     * EC2 API endpoint, for proxies, VPC endpoints and tests; default the region’s.
     */
    endpoint?: string;
    /**
     * AMI the instances boot from (your baked worker image), in the region.
     */
    imageId?: string;
    /**
     * Launch template to start from instead of (or under) imageId and instanceType; its $Default version.
     */
    launchTemplateId?: string;
    /**
     * Instance type, e.g. "c6i.large"; required unless the launch template sets it.
     */
    instanceType?: string;
    /**
     * Subnets in order of preference (one per availability zone): a subnet without capacity is skipped for subnetCoolOffMs.
     */
    subnetIds: Array<string>;
    /**
     * Security groups of every instance (they must reach Redis).
     * @default []
     */
    securityGroupIds?: Array<string>;
    /**
     * Extra tags on every instance, besides Name and the bullmq-autoscaler: tags.
     * @default {}
     */
    tags?: Record<string, string>;
    /**
     * Template of the user_data script; placeholders like {{REDIS_URL}} are shell-quoted. At most 16 KB rendered.
     */
    userDataFile: string;
    /**
     * Your own values for the template, used as {{vars.NAME}}.
     * @default {}
     */
    userDataVars?: Record<string, string>;
    /**
     * on-demand, spot (spot only), or spot-with-fallback (spot, else on-demand when spot has no capacity or price).
     * @default "on-demand"
     */
    market?: "on-demand" | "spot" | "spot-with-fallback";
    /**
     * Highest spot price per hour (USD) to pay; default the on-demand price (EC2’s default).
     * Range: > 0.
     */
    spotMaxPriceUsd?: number;
    /**
     * Named server types: each overrides any instance setting above (instanceType, imageId, market, …); a pool picks one with serverType.
     * @default {}
     */
    serverTypes?: Record<string, {
      /**
       * This type’s imageId; unset: the provider block’s.
       */
      imageId?: string;
      /**
       * This type’s launchTemplateId; unset: the provider block’s.
       */
      launchTemplateId?: string;
      /**
       * This type’s instanceType; unset: the provider block’s.
       */
      instanceType?: string;
      /**
       * This type’s subnetIds; unset: the provider block’s.
       */
      subnetIds?: Array<string>;
      /**
       * This type’s securityGroupIds; unset: the provider block’s.
       */
      securityGroupIds?: Array<string>;
      /**
       * This type’s tags (merged over the provider block’s); unset: the provider block’s.
       */
      tags?: Record<string, string>;
      /**
       * This type’s userDataFile; unset: the provider block’s.
       */
      userDataFile?: string;
      /**
       * This type’s userDataVars (merged over the provider block’s); unset: the provider block’s.
       */
      userDataVars?: Record<string, string>;
      /**
       * This type’s market; unset: the provider block’s.
       */
      market?: "on-demand" | "spot" | "spot-with-fallback";
      /**
       * This type’s spotMaxPriceUsd; unset: the provider block’s.
       * Range: > 0.
       */
      spotMaxPriceUsd?: number;
    }>;
    /**
     * On-demand USD per hour per instance type, over the built-in table (the Pricing API is a separate service this provider does not call).
     * @default {}
     */
    hourlyPricesUsd?: Record<string, number>;
    /**
     * After a subnet refuses an instance type for lack of capacity, creates of that type skip it this long.
     * Range: ≥ 0, whole numbers.
     * @default 900000
     */
    subnetCoolOffMs?: number;
    /**
     * Tries per EC2 request (the SDK’s adaptive retry mode, the first try included). RunInstances retries are safe: each carries a ClientToken.
     * Range: ≥ 1, ≤ 10, whole numbers.
     * @default 4
     */
    maxAttempts?: number;
  };
  /**
   * Groups of queues, each served by one kind of server.
   */
  pools: Array<{
    /**
     * Pool name; it names servers and tags them.
     */
    name: string;
    /**
     * BullMQ queue names served by this pool’s servers.
     */
    queues: Array<string>;
    /**
     * Jobs one server runs at once (its worker concurrency).
     * Range: ≥ 1, ≤ 10000, whole numbers.
     * @default 1
     */
    slotsPerServer?: number;
    /**
     * Servers kept even when idle.
     * Range: ≥ 0, ≤ 10000, whole numbers.
     * @default 0
     */
    minServers?: number;
    /**
     * Hard cap on this pool’s servers, whatever the backlog.
     * Range: ≥ 0, ≤ 10000, whole numbers.
     * @default 10
     */
    maxServers?: number;
    /**
     * Jobs should start within this long after they become ready.
     * Range: ≥ 1, ≤ 604800000, whole numbers.
     * @default 30000
     */
    targetWaitMs?: number;
    /**
     * Expected time from create call to a worker taking jobs.
     * Range: ≥ 0, ≤ 604800.
     * @default 60
     */
    bootSeconds?: number;
    /**
     * Share of slots the steady state keeps busy, with steadyModel "utilisation".
     * Range: > 0, ≤ 1.
     * @default 0.85
     */
    targetUtilisation?: number;
    /**
     * How arriving work is sized: "wait-risk" keeps jobs waiting past the target at 1 % (Erlang C); "utilisation" uses targetUtilisation.
     * @default "wait-risk"
     */
    steadyModel?: "wait-risk" | "utilisation";
    /**
     * Plan for the rate a sharply rising arrival trend reaches by the time new servers are up.
     * @default true
     */
    forecastTrend?: boolean;
    /**
     * Most servers added to the pool in one tick.
     * Range: ≥ 1, ≤ 10000, whole numbers.
     * @default 10
     */
    maxStepUp?: number;
    /**
     * Scale down only to the highest desired count of this window.
     * Range: ≥ 0, ≤ 604800000, whole numbers.
     * @default 120000
     */
    scaleDownDelayMs?: number;
    /**
     * With minServers 0, the pool goes to zero after this long without jobs.
     * Range: ≥ 0, ≤ 604800000, whole numbers.
     * @default 300000
     */
    idleToZeroMs?: number;
    /**
     * For providers with a minimum charge per server: a server younger than this is already paid for and is not drained before then. DigitalOcean: $0.01 ÷ the hourly price (2016000 for a $12/month droplet). Fewer creates and a lower bill, more server time; 0 turns it off.
     * Range: ≥ 0, ≤ 604800000, whole numbers.
     * @default 0
     */
    keepPaidServersMs?: number;
    /**
     * Assumed job runtime for a queue never seen (learned runtimes persist in Redis).
     * Range: ≥ 1, ≤ 604800000, whole numbers.
     * @default 1000
     */
    defaultRuntimeMs?: number;
    /**
     * Server type of this pool: a key of provider.serverTypes, or "default" for the provider block’s own settings.
     * @default "default"
     */
    serverType?: string;
    /**
     * During a rollout (new image, max age, `rollout restart`): most servers created beyond the desired count to replace outdated ones.
     * Range: ≥ 1, ≤ 100, whole numbers.
     * @default 1
     */
    maxSurge?: number;
    /**
     * Servers older than this (from ready) are replaced by the same surge-and-drain path as a rollout; unset: never.
     * Range: ≥ 60000, ≤ 604800000, whole numbers.
     */
    maxServerAgeMs?: number;
    /**
     * Windows (cron, time zone) in which the pool keeps at least minServers: pre-warming for known events.
     * @default []
     */
    schedules?: Array<{
      /**
       * When the window opens, e.g. "0 8 * * 1-5" (08:00 on weekdays).
       */
      cron: string;
      /**
       * IANA time zone the cron expression is read in.
       * @default "UTC"
       */
      timezone?: string;
      /**
       * How long each window lasts; or give `until`.
       * Range: ≥ 1, whole numbers.
       */
      durationMs?: number;
      /**
       * Cron expression whose next occurrence after the start closes the window.
       */
      until?: string;
      /**
       * Servers the pool keeps at least while the window is open.
       * Range: ≥ 0, whole numbers.
       */
      minServers: number;
    }>;
  }>;
  /**
   * Log output: JSON lines, or one readable line per event on a terminal.
   * @default {"level":"info","summaryEveryMs":60000,"format":"auto"}
   */
  log?: {
    /**
     * Least severe log level written (env LOG_LEVEL).
     * @default "info"
     */
    level?: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
    /**
     * A `summary` line per pool this often (backlog, wait, servers); 0 turns it off.
     * Range: ≥ 0, ≤ 604800000, whole numbers.
     * @default 60000
     */
    summaryEveryMs?: number;
    /**
     * "pretty": one readable line per event; "json": JSON lines; "auto": pretty on a terminal, JSON otherwise (env LOG_FORMAT, flag --log-format).
     * @default "auto"
     */
    format?: "auto" | "json" | "pretty";
  };
  /**
   * The optional HTTP server for Prometheus, health checks and the status page.
   * @default {"host":"127.0.0.1"}
   */
  http?: {
    /**
     * Serve /metrics, /healthz, /status and the status page on this port (env HTTP_PORT); off when unset.
     * Range: ≥ 1, ≤ 65535, whole numbers.
     */
    port?: number;
    /**
     * Address the HTTP server binds (env HTTP_HOST); the default keeps it off the network, "0.0.0.0" opens it (containers).
     * @default "127.0.0.1"
     */
    host?: string;
    /**
     * Name of the environment variable holding a bearer token the page, /status and /metrics then require (/healthz stays open); no auth when unset. The token itself never goes in a config file.
     */
    tokenEnv?: string;
  };
  /**
   * Webhook alerts on limit.hit, server.hanging, server.failed, circuit.open and long waits.
   * @default {"repeatAfterMs":300000,"maxPerHour":12}
   */
  alerts?: {
    /**
     * Slack-compatible incoming webhook (env ALERT_WEBHOOK_URL); alerts are POSTed as {"text": …}. Off when unset.
     */
    webhookUrl?: string;
    /**
     * Alert when a pool’s oldest ready job has waited longer than this; off when unset.
     * Range: ≥ 1, ≤ 604800000, whole numbers.
     */
    oldestWaitMs?: number;
    /**
     * Quiet time per alert kind and pool after one is sent, so an incident sends a few messages.
     * Range: ≥ 0, ≤ 604800000, whole numbers.
     * @default 300000
     */
    repeatAfterMs?: number;
    /**
     * Cap on messages per rolling hour over all kinds; past it alerts are only logged.
     * Range: ≥ 1, whole numbers.
     * @default 12
     */
    maxPerHour?: number;
  };
}
