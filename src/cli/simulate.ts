import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { messageOf } from '../base/errors.ts';
import { ConfigError, parseConfig, readConfigFile } from '../config/load.ts';
import type { AutoscalerConfig, PoolConfig } from '../config/schema.ts';
import { workBoundSeconds } from '../simulate/baselines.ts';
import { timelineSvg } from '../simulate/chart.ts';
import type { Billing } from '../simulate/fleet.ts';
import { generate, generatorNames, isGeneratorName } from '../simulate/generators.ts';
import { oursPolicy } from '../simulate/policy.ts';
import { defaultBilling, poolSetup, runPolicy } from '../simulate/run.ts';
import { parseTrace, type Trace } from '../simulate/trace.ts';
import { type CliIo, exitCode, UsageError } from './io.ts';
import { type Flags, text } from './options.ts';

/** `simulate`: replays a trace through the production policy and prints the figures. */
export async function simulateCommand(flags: Flags, io: CliIo): Promise<number> {
  const config = await simulationConfig(required(text(flags, 'config'), '--config'), io.env);
  const pool = choosePool(config, text(flags, 'pool'));
  const trace = await loadTrace(required(text(flags, 'trace'), '--trace'), pool, config);
  const setup = poolSetup(pool, config.tickMs, config.maxServersTotal);
  const scenario = {
    trace,
    setup,
    billing: billingFrom(text(flags, 'billing'), text(flags, 'price')),
    seed: integer(text(flags, 'seed') ?? '1', '--seed'),
    warmupMs: integer(text(flags, 'warmup') ?? '0', '--warmup') * 1000,
  };
  const { figures, result } = runPolicy(scenario, oursPolicy(setup));
  const report = {
    trace: trace.name,
    pool: pool.name,
    targetWaitMs: pool.targetWaitMs,
    ...figures,
    workBoundSeconds: workBoundSeconds(trace, pool.slotsPerServer),
  };
  const chart = text(flags, 'chart');
  if (chart !== undefined)
    await writeFile(
      chart,
      timelineSvg(`${trace.name} — pool ${pool.name}`, result.timeline, {
        targetWaitMs: pool.targetWaitMs,
        maxServers: Math.min(pool.maxServers, config.maxServersTotal),
      }),
    );
  if (flags.json === true) io.out(JSON.stringify(report));
  else for (const line of humanReport(report)) io.out(line);
  return exitCode.ok;
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
  // Per second is DigitalOcean's billing, its $0.01 minimum charge included; per started hour has none.
  if ((unit ?? defaultBilling.unit) === 'hour') return { unit: 'hour', pricePerHour };
  return { ...defaultBilling, pricePerHour };
}

/**
 * The same loader and checks as every command, every problem listed. The simulator never
 * provisions: a config written only for it may leave the provider out.
 */
async function simulationConfig(path: string, env: NodeJS.ProcessEnv): Promise<AutoscalerConfig> {
  const absolute = resolve(path);
  try {
    const raw = await readConfigFile(absolute);
    const withProvider =
      typeof raw === 'object' && raw !== null && !('provider' in raw)
        ? { ...raw, provider: { type: 'local-process', workerEntry: absolute } }
        : raw;
    return parseConfig(withProvider, env, absolute);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.problems.join('\n'));
    throw error;
  }
}

function choosePool(config: AutoscalerConfig, name: string | undefined): PoolConfig {
  const pool = name === undefined ? config.pools[0] : config.pools.find((p) => p.name === name);
  if (pool === undefined)
    throw new UsageError(
      `--pool: no pool named "${name}" in the config; pools: ${config.pools.map((p) => p.name).join(', ')}`,
    );
  return pool;
}

/** A name without a path separator or extension is a generator's; anything else is a file. */
function looksLikeGeneratorName(source: string): boolean {
  return /^[a-z][a-z0-9-]*$/.test(source);
}

async function loadTrace(source: string, pool: PoolConfig, config: AutoscalerConfig): Promise<Trace> {
  if (isGeneratorName(source)) return generate(source, pool.queues);
  let content: string;
  try {
    content = await readFile(source, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && looksLikeGeneratorName(source))
      throw new UsageError(
        `--trace: no generator or file named "${source}"; generators: ${generatorNames.join(', ')}`,
      );
    throw new UsageError(`--trace ${source}: cannot read (${code ?? 'error'})`);
  }
  let trace: Trace;
  try {
    trace = parseTrace(source, content);
  } catch (error) {
    throw new UsageError(`--trace ${source}: ${messageOf(error)}`);
  }
  const known = new Set(config.pools.flatMap((p) => p.queues));
  const stray = trace.jobs.find((j) => !known.has(j.queue));
  if (stray !== undefined)
    throw new UsageError(`--trace ${source}: queue "${stray.queue}" is in no pool of the config`);
  const mine = new Set(pool.queues);
  return { ...trace, jobs: trace.jobs.filter((j) => mine.has(j.queue)) };
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
