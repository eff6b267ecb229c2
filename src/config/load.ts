import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { tsxProblem } from '../../providers/local-process/config.ts';
import { messageOf } from '../base/errors.ts';
import { findOptionalPeer, missingPeerMessage } from '../base/optional-peer.ts';
import { redactUrlsIn } from '../base/redact.ts';
import { closest } from '../base/suggest.ts';
import { knownKeysAt } from './known-keys.ts';
import { friendlyMessage } from './messages.ts';
import { missingSecrets } from './redis-schema.ts';
import { type AutoscalerConfig, configSchema } from './schema.ts';

/** A configuration the scaler must not run with; every problem is listed, each with its field path. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export async function loadConfigFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AutoscalerConfig> {
  const absolute = resolve(path);
  return parseConfig(await readConfigFile(absolute), env, absolute);
}

/** Validates a raw config object with environment overrides applied; relative paths resolve from `baseFile`. */
export function parseConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv = process.env,
  baseFile?: string,
): AutoscalerConfig {
  const withEnv = applyEnv(raw, env);
  const result = configSchema.safeParse(withEnv, { error: friendlyMessage });
  // Missing files are problems like any other: reported with the schema's, all in one go.
  const files = missingFiles(withEnv, baseFile);
  const secrets = result.success ? missingSecrets(result.data.redis, env) : [];
  const problems = [
    ...(result.success ? [] : result.error.issues.flatMap(formatIssue)),
    ...files,
    ...secrets,
  ];
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return resolveFiles(result.data, baseFile);
}

/** The file's content as a plain object: JSON, YAML or a JS/TS module's default export. */
export async function readConfigFile(absolute: string): Promise<unknown> {
  if (!existsSync(absolute)) throw new ConfigError([`--config: file not found: ${absolute}`]);
  const text = () => readFileSync(absolute, 'utf8');
  try {
    switch (extname(absolute)) {
      case '.json':
        return parseJson(text());
      case '.yaml':
      case '.yml':
        return parseYamlText(text());
      case '.ts':
      case '.mts':
      case '.cts':
        return await typeScriptDefault(absolute);
      case '.js':
      case '.mjs':
      case '.cjs':
        return await defaultExport(absolute);
      default:
        throw new ConfigError([
          `--config: unsupported file type "${extname(absolute)}"; use .json, .yaml, .yml, .js, .mjs or .ts`,
        ]);
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // A JS config's own exception may quote what it was building, a Redis URL with its password.
    throw new ConfigError([`--config ${absolute}: ${redactUrlsIn(messageOf(error))}`]);
  }
}

/** Environment variables win over the file, as operators expect from twelve-factor tools. */
function applyEnv(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const config = { ...(raw as Record<string, unknown>) };
  // REDIS_URL replaces the URL form only: a file naming a cluster or sentinel set keeps it.
  const redis = asObject(config.redis);
  if (env.REDIS_URL && redis.cluster === undefined && redis.sentinel === undefined)
    config.redis = { ...redis, url: env.REDIS_URL };
  if (env.LOG_LEVEL) config.log = { ...asObject(config.log), level: env.LOG_LEVEL };
  if (env.LOG_FORMAT) config.log = { ...asObject(config.log), format: env.LOG_FORMAT };
  if (env.HTTP_PORT) config.http = { ...asObject(config.http), port: portFrom(env.HTTP_PORT) };
  // In a container the server must bind 0.0.0.0 to be reachable; on a host, 127.0.0.1 keeps it private.
  if (env.HTTP_HOST) config.http = { ...asObject(config.http), host: env.HTTP_HOST };
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

/** The files a provider reads, by field; relative paths resolve from the config file's folder. */
function fileFields(provider: unknown, programmatic: boolean): [field: string, what: string][] {
  const type = typeof provider === 'object' && provider !== null ? Reflect.get(provider, 'type') : undefined;
  if (type === 'local-process') return [['workerEntry', 'your worker script']];
  // Programmatic configs keep the DigitalOcean provider's own rule (the working directory).
  if (type === 'digitalocean' && !programmatic) return [['userDataFile', 'your user_data template']];
  return [];
}

/** Files the provider will need must exist now, not at the first scale-up hours later. */
function missingFiles(raw: unknown, baseFile: string | undefined): string[] {
  const provider = asObject(asObject(raw).provider);
  const base = baseFile ? resolve(baseFile, '..') : process.cwd();
  return fileFields(provider, baseFile === undefined).flatMap(([field, what]) => {
    const path = provider[field];
    if (typeof path !== 'string' || path === '') return [];
    const absolute = resolve(base, path);
    if (!existsSync(absolute))
      return [`provider.${field}: file not found: ${absolute} (give the path of ${what})`];
    const tsxMissing = field === 'workerEntry' ? tsxProblem(absolute) : undefined;
    return tsxMissing === undefined ? [] : [`provider.${field}: ${tsxMissing}`];
  });
}

function resolveFiles(config: AutoscalerConfig, baseFile: string | undefined): AutoscalerConfig {
  const base = baseFile ? resolve(baseFile, '..') : process.cwd();
  const provider = config.provider;
  if (provider.type === 'local-process') provider.workerEntry = resolve(base, provider.workerEntry);
  else if (baseFile !== undefined) provider.userDataFile = resolve(base, provider.userDataFile);
  return config;
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
    const known = knownKeysAt(configSchema, issue.path);
    const topLevel = issue.path.length === 0;
    return unknownKeys.map(
      (k) => `${path}${pathSegment(k, path === '')}: ${unknownKeyAdvice(k, known, topLevel)}`,
    );
  }
  return [`${path === '' ? '(config)' : path}: ${issue.message}`];
}

/** What to do about a key the schema does not have: the closest real one, or where to look. */
function unknownKeyAdvice(key: string, known: string[], topLevel: boolean): string {
  if (!topLevel && knownKeysAt(configSchema, []).includes(key))
    return `unknown option here: ${key} is a top-level option`;
  if (key === 'token' && known.includes('tokenEnv'))
    return 'unknown option: the API token never goes in the config; put it in an environment variable and name that variable in tokenEnv (default DIGITALOCEAN_TOKEN)';
  const guess = closest(key, known);
  return guess === undefined
    ? 'unknown option (check the spelling; see docs/configuration.md)'
    : `unknown option; did you mean "${guess}"?`;
}

/** JSON.parse says "at position 116"; people and editors count lines and columns. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = messageOf(error);
    const at = /at position (\d+)/.exec(message);
    if (at === null) throw new Error(`invalid JSON: ${message}`);
    const before = text.slice(0, Number(at[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    const what = message
      .slice(0, at.index)
      .trim()
      .replace(/ in JSON$/, '');
    throw new Error(`invalid JSON at line ${line}, column ${column}: ${what}`);
  }
}

/** The YAML parser's message already names line and column; its code excerpt is left out. */
function parseYamlText(text: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    const message = messageOf(error);
    throw new Error(`invalid YAML: ${message.split('\n')[0]?.replace(/:$/, '')}`);
  }
}

async function defaultExport(path: string): Promise<unknown> {
  return ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
}

/**
 * The CLI runs compiled JavaScript, so a TypeScript config goes through tsx. `tsImport` loads it
 * in its own namespace: registering tsx's hooks globally instead makes Node require() this ES
 * package from a config that a CommonJS app's `.ts` compiles to, which fails "in a cycle".
 */
async function typeScriptDefault(path: string): Promise<unknown> {
  if (findOptionalPeer('tsx') === undefined) {
    throw new ConfigError([`--config: ${missingPeerMessage('tsx', `the TypeScript config ${path}`)}`]);
  }
  const { tsImport } = await import('tsx/esm/api');
  let loaded: unknown;
  try {
    loaded = ((await tsImport(pathToFileURL(path).href, import.meta.url)) as { default?: unknown }).default;
  } catch (error) {
    const message = messageOf(error);
    if (/in a cycle|Cannot redefine property/.test(message))
      throw new Error(
        `${message} — in a CommonJS app, import defineConfig from 'bullmq-autoscaler/config' ` +
          "(not 'bullmq-autoscaler'), or name the file .mts",
      );
    throw error;
  }
  // In a CommonJS app the module's exports object arrives as the default: its own `default` is
  // the config (no config has a top-level "default" option to confuse it with).
  return typeof loaded === 'object' && loaded !== null && 'default' in loaded
    ? (loaded as { default: unknown }).default
    : loaded;
}
