import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { tsxProblem } from '../../providers/local-process/config.ts';
import { messageOf } from '../base/errors.ts';
import { findOptionalPeer, missingPeerMessage } from '../base/optional-peer.ts';
import { friendlyMessage } from './messages.ts';
import { type AutoscalerConfig, type AutoscalerConfigInput, configSchema } from './schema.ts';

/** A configuration the scaler must not run with; every problem is listed, each with its field path. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Typed helper for JS/TS config modules: `export default defineConfig({ ... })`. */
export function defineConfig(config: AutoscalerConfigInput): AutoscalerConfigInput {
  return config;
}

export async function loadConfigFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AutoscalerConfig> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new ConfigError([`--config: file not found: ${absolute}`]);
  return parseConfig(await readRaw(absolute), env, absolute);
}

/** Validates a raw config object with environment overrides applied; relative paths resolve from `baseFile`. */
export function parseConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv = process.env,
  baseFile?: string,
): AutoscalerConfig {
  const result = configSchema.safeParse(applyEnv(raw, env), { error: friendlyMessage });
  if (!result.success) throw new ConfigError(result.error.issues.flatMap(formatIssue));
  const config = result.data;
  checkFiles(config, baseFile);
  return config;
}

async function readRaw(path: string): Promise<unknown> {
  const text = () => readFileSync(path, 'utf8');
  try {
    switch (extname(path)) {
      case '.json':
        return JSON.parse(text());
      case '.yaml':
      case '.yml':
        return parseYaml(text());
      case '.ts':
      case '.mts':
        await readTypeScript(path);
        return await defaultExport(path);
      case '.js':
      case '.mjs':
        return await defaultExport(path);
      default:
        throw new ConfigError([
          `--config: unsupported file type "${extname(path)}"; use .json, .yaml, .yml, .js, .mjs or .ts`,
        ]);
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([`--config: cannot read ${path}: ${messageOf(error)}`]);
  }
}

/** Environment variables win over the file, as operators expect from twelve-factor tools. */
function applyEnv(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const config = { ...(raw as Record<string, unknown>) };
  if (env.REDIS_URL) config.redis = { ...asObject(config.redis), url: env.REDIS_URL };
  if (env.LOG_LEVEL) config.log = { ...asObject(config.log), level: env.LOG_LEVEL };
  if (env.HTTP_PORT) config.http = { ...asObject(config.http), port: portFrom(env.HTTP_PORT) };
  // A webhook URL is a credential: it belongs in the environment, not in a committed file.
  if (env.ALERT_WEBHOOK_URL)
    config.alerts = { ...asObject(config.alerts), webhookUrl: env.ALERT_WEBHOOK_URL };
  return config;
}

/** A number when it reads as one, so the schema reports `http.port` with the value it got. */
function portFrom(text: string): number | string {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Files the provider will need must exist now, not at the first scale-up hours later. */
function checkFiles(config: AutoscalerConfig, baseFile: string | undefined): void {
  const base = baseFile ? resolve(baseFile, '..') : process.cwd();
  const provider = config.provider;
  if (provider.type === 'local-process') {
    provider.workerEntry = existing(base, provider.workerEntry, 'provider.workerEntry', 'your worker script');
    const tsxMissing = tsxProblem(provider.workerEntry);
    if (tsxMissing !== undefined) throw new ConfigError([`provider.workerEntry: ${tsxMissing}`]);
  } else if (baseFile !== undefined) {
    // Programmatic configs keep the provider's own rule (the working directory); files resolve
    // from their folder like every other path in them.
    provider.userDataFile = existing(
      base,
      provider.userDataFile,
      'provider.userDataFile',
      'your user_data template',
    );
  }
}

function existing(base: string, path: string, field: string, what: string): string {
  const absolute = resolve(base, path);
  if (!existsSync(absolute))
    throw new ConfigError([`${field}: file not found: ${absolute} (give the path of ${what})`]);
  return absolute;
}

/**
 * One step of a field path. Keys that are not plain names are quoted, so an empty key or one
 * holding a newline can neither vanish from the path nor forge a second line.
 */
function pathSegment(part: PropertyKey, first: boolean): string {
  if (typeof part === 'number') return `[${part}]`;
  const key = String(part);
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return first ? key : `.${key}`;
  return `[${JSON.stringify(key)}]`;
}

/** `pools[1].maxServers: must be ≥ minServers (3)` */
export function formatIssue(issue: z.core.$ZodIssue): string[] {
  const path = issue.path.map((part, i) => pathSegment(part, i === 0)).join('');
  const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : undefined;
  if (unknownKeys) {
    return unknownKeys.map(
      (k) =>
        `${path}${pathSegment(k, path === '')}: unknown option (check the spelling; see docs/configuration.md)`,
    );
  }
  return [`${path === '' ? '(config)' : path}: ${issue.message}`];
}

async function defaultExport(path: string): Promise<unknown> {
  return ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
}

let typeScriptReadable: Promise<void> | undefined;

/** The CLI runs compiled JavaScript: a TypeScript config needs tsx's loader, registered once. */
function readTypeScript(path: string): Promise<void> {
  if (findOptionalPeer('tsx') === undefined) {
    throw new ConfigError([`--config: ${missingPeerMessage('tsx', `the TypeScript config ${path}`)}`]);
  }
  typeScriptReadable ??= import('tsx/esm/api').then(({ register }) => {
    register();
  });
  return typeScriptReadable;
}
