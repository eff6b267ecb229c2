import { z } from 'zod';
import { awsEc2ProviderSchema } from '../../providers/aws-ec2/config.ts';
import { digitaloceanProviderSchema } from '../../providers/digitalocean/config.ts';
import { logFormats } from '../base/log-pretty.ts';
import { durationMs, MAX_DURATION_MS, MAX_SERVERS, queueName, serverCount } from './bounds.ts';
import { lifecycleSchema } from './lifecycle-schema.ts';
import { clusterPrefixProblem, redisSchema } from './redis-schema.ts';
import { scheduleSchema } from './schedules.ts';
import { alertsSchema, httpSchema } from './surfaces-schema.ts';

const name = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,30}$/,
    'use 1–31 lowercase letters, digits or dashes, starting with a letter or digit',
  );
const count = serverCount;
const ms = durationMs;

const tickMs = z.number().int().min(100).max(60_000);

export const poolSchema = z
  .object({
    name: name.describe('Pool name; it names servers and tags them.'),
    queues: z.array(queueName).min(1).describe('BullMQ queue names served by this pool’s servers.'),
    slotsPerServer: z
      .number()
      .int()
      .min(1)
      .max(MAX_SERVERS)
      .default(1)
      .describe('Jobs one server runs at once (its worker concurrency).'),
    minServers: count.default(0).describe('Servers kept even when idle.'),
    maxServers: count.default(10).describe('Hard cap on this pool’s servers, whatever the backlog.'),
    targetWaitMs: ms
      .min(1)
      .default(30_000)
      .describe('Jobs should start within this long after they become ready.'),
    bootSeconds: z
      .number()
      .min(0)
      .max(MAX_DURATION_MS / 1_000)
      .default(60)
      .describe('Expected time from create call to a worker taking jobs.'),
    targetUtilisation: z
      .number()
      .gt(0)
      .max(1)
      .default(0.85)
      .describe('Share of slots the steady state keeps busy, with steadyModel "utilisation".'),
    steadyModel: z
      .enum(['wait-risk', 'utilisation'])
      .default('wait-risk')
      .describe(
        'How arriving work is sized: "wait-risk" keeps jobs waiting past the target at 1 % (Erlang C); "utilisation" uses targetUtilisation.',
      ),
    forecastTrend: z
      .boolean()
      .default(true)
      .describe('Plan for the rate a sharply rising arrival trend reaches by the time new servers are up.'),
    maxStepUp: z
      .number()
      .int()
      .min(1)
      .max(MAX_SERVERS)
      .default(10)
      .describe('Most servers added to the pool in one tick.'),
    scaleDownDelayMs: ms
      .default(120_000)
      .describe('Scale down only to the highest desired count of this window.'),
    idleToZeroMs: ms
      .default(300_000)
      .describe('With minServers 0, the pool goes to zero after this long without jobs.'),
    keepPaidServersMs: ms
      .default(0)
      .describe(
        'For providers with a minimum charge per server: a server younger than this is already paid for and is not drained before then. DigitalOcean: $0.01 ÷ the hourly price (2016000 for a $12/month droplet). Fewer creates and a lower bill, more server time; 0 turns it off.',
      ),
    defaultRuntimeMs: ms
      .min(1)
      .default(1_000)
      .describe('Assumed job runtime for a queue never seen (learned runtimes persist in Redis).'),
    serverType: name
      .default('default')
      .describe(
        'Server type of this pool: a key of provider.serverTypes, or "default" for the provider block’s own settings.',
      ),
    maxSurge: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(1)
      .describe(
        'During a rollout (new image, max age, `rollout restart`): most servers created beyond the desired count to replace outdated ones.',
      ),
    maxServerAgeMs: ms
      .min(60_000)
      .optional()
      .describe(
        'Servers older than this (from ready) are replaced by the same surge-and-drain path as a rollout; unset: never.',
      ),
    schedules: z
      .array(scheduleSchema)
      .default([])
      .describe(
        'Windows (cron, time zone) in which the pool keeps at least minServers: pre-warming for known events.',
      ),
  })
  .strict()
  .refine((p) => p.maxServers >= p.minServers, {
    path: ['maxServers'],
    error: (issue) => `must be ≥ minServers (${(issue.input as { minServers: number }).minServers})`,
  })
  .superRefine((p, ctx) => {
    p.schedules.forEach((s, i) => {
      if (s.minServers > p.maxServers)
        ctx.addIssue({
          code: 'custom',
          path: ['schedules', i, 'minServers'],
          message: `must be ≤ maxServers (${p.maxServers})`,
        });
    });
  });

const localProviderSchema = z
  .object({
    type: z
      .literal('local-process')
      .describe('Each "server" is a child process on this machine: for development, demos and tests.'),
    workerEntry: z.string().min(1).describe('Script each local "server" runs (it calls runServerWorker()).'),
    bootDelayMs: ms.default(3_000).describe('Delay before the worker starts, imitating a cloud boot.'),
    stateDir: z
      .string()
      .default('.autoscaler-local')
      .describe('Where the provider keeps its process records.'),
    killGraceMs: ms
      .default(30_000)
      .describe('How long destroying a server waits after SIGTERM before SIGKILL.'),
    serverTypes: z
      .record(
        name,
        z
          .object({
            workerEntry: z.string().min(1).optional().describe('Script servers of this type run.'),
            bootDelayMs: ms.optional().describe('Boot delay of servers of this type.'),
          })
          .strict(),
      )
      .default({})
      .describe('Named server types, each overriding workerEntry and bootDelayMs; a pool picks one.'),
  })
  .strict();

export const providerSchema = z.discriminatedUnion(
  'type',
  [localProviderSchema, digitaloceanProviderSchema, awsEc2ProviderSchema],
  { error: providerMessage },
);

function providerMessage(issue: z.core.$ZodRawIssue): string {
  const types = '"local-process", "digitalocean" or "aws-ec2"';
  if (issue.code === 'invalid_union') return `unknown provider type: use ${types}`;
  if (issue.input === undefined) return `required: give an object with "type": ${types}`;
  return `must be an object with "type": ${types}`;
}

export const configSchema = z
  .object({
    $schema: z
      .string()
      .optional()
      .describe(
        'Path or URL of this JSON Schema (docs/config.schema.json), for editors; the scaler ignores it.',
      ),
    cluster: name
      .default('default')
      .describe('Scaler cluster name; it forms the ownership tag of every server.'),
    redis: redisSchema,
    tickMs: tickMs.default(1_000).describe('How often the scaler samples and decides.'),
    maxServersTotal: count.default(20).describe('Global cap over all pools: no decision can exceed it.'),
    maxHourlyCostUsd: z
      .number()
      .positive()
      .optional()
      .describe('Cap on what all servers together may cost per hour (USD, from the provider’s prices).'),
    createFailureBackoffMs: ms
      .default(30_000)
      .describe('First pause after a failed create; doubles per failure.'),
    lifecycle: lifecycleSchema,
    provider: providerSchema.describe(
      'Where servers come from: "local-process" (child processes, for development) or "digitalocean" (droplets).',
    ),
    pools: z.array(poolSchema).min(1).describe('Groups of queues, each served by one kind of server.'),
    log: z
      .object({
        level: z
          .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
          .default('info')
          .describe('Least severe log level written (env LOG_LEVEL).'),
        summaryEveryMs: ms
          .default(60_000)
          .describe('A `summary` line per pool this often (backlog, wait, servers); 0 turns it off.'),
        format: z
          .enum(logFormats)
          .default('auto')
          .describe(
            '"pretty": one readable line per event; "json": JSON lines; "auto": pretty on a terminal, JSON otherwise (env LOG_FORMAT, flag --log-format).',
          ),
      })
      .strict()
      .default({ level: 'info', summaryEveryMs: 60_000, format: 'auto' })
      .describe('Log output: JSON lines, or one readable line per event on a terminal.'),
    http: httpSchema,
    alerts: alertsSchema,
  })
  .strict()
  .superRefine((config, ctx) => {
    const hashTag = clusterPrefixProblem(
      config.redis,
      config.pools.flatMap((p) => p.queues),
    );
    if (hashTag) ctx.addIssue({ code: 'custom', path: ['redis', 'bullmqPrefix'], message: hashTag });
    const seen = new Map<string, number>();
    config.pools.forEach((pool, i) => {
      if (seen.has(pool.name))
        ctx.addIssue({
          code: 'custom',
          path: ['pools', i, 'name'],
          message: `duplicate pool name "${pool.name}"`,
        });
      seen.set(pool.name, i);
    });
    const types = Object.keys(config.provider.serverTypes);
    config.pools.forEach((pool, i) => {
      if (pool.serverType !== 'default' && !types.includes(pool.serverType))
        ctx.addIssue({
          code: 'custom',
          path: ['pools', i, 'serverType'],
          message: `unknown server type "${pool.serverType}": define it under provider.serverTypes (known: ${['default', ...types].join(', ')})`,
        });
    });
    const owner = new Map<string, number>();
    config.pools.forEach((pool, i) => {
      pool.queues.forEach((queue, j) => {
        const other = owner.get(queue);
        // Listed twice, a queue's backlog counts twice and each server runs two workers on it.
        if (other !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['pools', i, 'queues', j],
            message:
              other === i
                ? `queue "${queue}" is listed twice in this pool: list it once`
                : `queue "${queue}" is already served by pool "${config.pools[other]?.name}"`,
          });
        }
        owner.set(queue, i);
      });
    });
    // The leader acts once per tick: a lease shorter than two ticks can lapse in the middle of
    // one slow tick, and a standby then leads beside it.
    const { leaseTtlMs } = config.lifecycle;
    // An invalid tickMs has its own line already; the lease is judged against a valid one.
    if (tickMs.safeParse(config.tickMs).success && leaseTtlMs < 2 * config.tickMs)
      ctx.addIssue({
        code: 'custom',
        path: ['lifecycle', 'leaseTtlMs'],
        message: `must be ≥ 2 × tickMs (${2 * config.tickMs}; got ${leaseTtlMs}): raise it or lower tickMs`,
      });
  });

export type AutoscalerConfig = z.output<typeof configSchema>;
export type AutoscalerConfigInput = z.input<typeof configSchema>;
export type PoolConfig = z.output<typeof poolSchema>;
export type ProviderConfig = AutoscalerConfig['provider'];
