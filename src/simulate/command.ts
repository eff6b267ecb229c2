import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { messageOf } from '../base/errors.ts';
import { type AutoscalerConfig, configSchema, type PoolConfig } from '../config/schema.ts';
import { workBoundSeconds } from './baselines.ts';
import { timelineSvg } from './chart.ts';
import type { Billing } from './fleet.ts';
import { generate, generatorNames, isGeneratorName } from './generators.ts';
import { oursPolicy } from './policy.ts';
import { defaultBilling, poolSetup, runPolicy } from './run.ts';
import { parseTrace, type Trace } from './trace.ts';

const usage = `usage: bullmq-autoscaler simulate --trace <file|${generatorNames.join('|')}> --config <file>
  [--pool <name>] [--json] [--chart out.svg] [--billing second|hour] [--price <usd per hour>]
  [--warmup <seconds>] [--seed <n>]`;

/** A mistake in the command line or the files it names: exit code 2 with this message. */
class UsageError extends Error {}

/** `simulate`: replays a trace through the production policy and prints the figures. Exit code 0 or 2. */
export async function runSimulateCommand(argv: string[], out: (line: string) => void): Promise<number> {
  try {
    await simulateCommand(argv, out);
    return 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    out(`error: ${error.message}`);
    out(usage);
    return 2;
  }
}

async function simulateCommand(argv: string[], out: (line: string) => void): Promise<void> {
  const flags = parseFlags(argv);
  const config = await loadConfig(required(flags.config, '--config'));
  const pool = choosePool(config, flags.pool);
  const trace = await loadTrace(required(flags.trace, '--trace'), pool, config);
  const setup = poolSetup(pool, config.tickMs, config.maxServersTotal);
  const scenario = {
    trace,
    setup,
    billing: billingFrom(flags.billing, flags.price),
    seed: integer(flags.seed ?? '1', '--seed'),
    warmupMs: integer(flags.warmup ?? '0', '--warmup') * 1000,
  };
  const { figures, result } = runPolicy(scenario, oursPolicy(setup));
  const report = {
    trace: trace.name,
    pool: pool.name,
    targetWaitMs: pool.targetWaitMs,
    ...figures,
    workBoundSeconds: workBoundSeconds(trace, pool.slotsPerServer),
  };
  if (flags.chart !== undefined) {
    await writeFile(
      flags.chart,
      timelineSvg(`${trace.name} — pool ${pool.name}`, result.timeline, pool.targetWaitMs),
    );
  }
  if (flags.json === true) out(JSON.stringify(report));
  else for (const line of humanReport(report)) out(line);
}

function parseFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        trace: { type: 'string' },
        config: { type: 'string' },
        pool: { type: 'string' },
        json: { type: 'boolean' },
        chart: { type: 'string' },
        billing: { type: 'string' },
        price: { type: 'string' },
        warmup: { type: 'string' },
        seed: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

function integer(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`${flag}: must be a whole number ≥ 0, got "${value}"`);
  return n;
}

function billingFrom(unit: string | undefined, price: string | undefined): Billing {
  if (unit !== undefined && unit !== 'second' && unit !== 'hour') {
    throw new UsageError(`--billing: use "second" or "hour", got "${unit}"`);
  }
  const pricePerHour = price === undefined ? defaultBilling.pricePerHour : Number(price);
  if (!Number.isFinite(pricePerHour) || pricePerHour < 0)
    throw new UsageError(`--price: must be a number ≥ 0`);
  return { unit: unit ?? defaultBilling.unit, pricePerHour };
}

async function loadConfig(path: string): Promise<AutoscalerConfig> {
  const text = await readText(path, '--config');
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new UsageError(`--config ${path}: ${messageOf(error)}`);
  }
  // The simulator never provisions: a config written only for it may leave the provider out.
  const withProvider =
    typeof raw === 'object' && raw !== null && !('provider' in raw)
      ? { ...raw, provider: { type: 'local-process', workerEntry: 'simulated' } }
      : raw;
  const parsed = configSchema.safeParse(withProvider);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where =
      issue === undefined
        ? ''
        : issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw new UsageError(`--config ${path}: ${where.replace(/^\./, '')}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function choosePool(config: AutoscalerConfig, name: string | undefined): PoolConfig {
  const pool = name === undefined ? config.pools[0] : config.pools.find((p) => p.name === name);
  if (pool === undefined) throw new UsageError(`--pool: no pool named "${name}" in the config`);
  return pool;
}

async function loadTrace(source: string, pool: PoolConfig, config: AutoscalerConfig): Promise<Trace> {
  if (isGeneratorName(source)) return generate(source, pool.queues);
  let trace: Trace;
  try {
    trace = parseTrace(source, await readText(source, '--trace'));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--trace ${source}: ${messageOf(error)}`);
  }
  const known = new Set(config.pools.flatMap((p) => p.queues));
  const stray = trace.jobs.find((j) => !known.has(j.queue));
  if (stray !== undefined)
    throw new UsageError(`--trace ${source}: queue "${stray.queue}" is in no pool of the config`);
  const mine = new Set(pool.queues);
  return { ...trace, jobs: trace.jobs.filter((j) => mine.has(j.queue)) };
}

async function readText(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag} ${path}: cannot read (${code ?? 'error'})`);
  }
}

function humanReport(r: Record<string, number | string>): string[] {
  const n = (key: string) => Number(r[key]);
  return [
    `trace ${r.trace}, pool ${r.pool}: ${n('jobs')} jobs`,
    `within the ${n('targetWaitMs') / 1000}s wait target: ${(n('withinTarget') * 100).toFixed(2)} %`,
    `wait p50 ${(n('p50WaitMs') / 1000).toFixed(1)}s, p95 ${(n('p95WaitMs') / 1000).toFixed(1)}s, p99 ${(n('p99WaitMs') / 1000).toFixed(1)}s`,
    `server time ${(n('serverSeconds') / 3600).toFixed(2)} h (work bound ${(n('workBoundSeconds') / 3600).toFixed(2)} h), billed ${(n('billedSeconds') / 3600).toFixed(2)} h, cost $${n('cost').toFixed(2)}`,
    `creates ${n('creates')}, deletes ${n('deletes')}, peak ${n('peakServers')} servers`,
  ];
}
