import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CreatedServer,
  type CreateOptions,
  creatable,
  type Provider,
  type ProviderServer,
  type ServerSpec,
  typeOf,
} from '../provider.ts';
import { runsThroughTsx, tsxLoaderUrl, tsxProblem } from './config.ts';

export interface LocalProcessOptions {
  /** Script each "server" runs; it should call runServerWorker(). TypeScript entries run through tsx. */
  workerEntry: string;
  /**
   * Delay between the create call and the worker starting, imitating a cloud boot.
   * @default 3000
   */
  bootDelayMs?: number;
  /**
   * Folder for the process records and logs, so a restarted scaler finds its servers again.
   * @default '.autoscaler-local'
   */
  stateDir?: string;
  /** The scaler cluster; records of other clusters are never touched. */
  cluster: string;
  /**
   * How long destroy() waits after SIGTERM before SIGKILL.
   * @default 30000
   */
  killGraceMs?: number;
  /**
   * Named server types, each overriding the worker entry and boot delay (`default` is the options
   * above). A changed worker entry file is a new image: its servers are rolled over.
   * @default {}
   */
  serverTypes?: Record<string, { workerEntry?: string | undefined; bootDelayMs?: number | undefined }>;
}

interface ProcessRecord {
  providerId: string;
  name: string;
  tags: string[];
  pid: number;
  createdAtMs: number;
}

/** Lines of a gone server's output quoted in its vanished event: enough for a stack's top. */
const lastLinesShown = 5;

/** Environment variables never handed to a local server: credentials of other providers. */
export const withheldEnv = ['DIGITALOCEAN_TOKEN'];
const bootScript = fileURLToPath(new URL('./boot.mjs', import.meta.url));

/**
 * Each server is a detached child process running the worker entry, so it outlives a crashed
 * scaler exactly like a cloud server would. Nothing goes through a shell.
 */
export function createLocalProcessProvider(options: LocalProcessOptions): Provider {
  const settingsOf = (type: string) => {
    const overrides = type === 'default' ? {} : options.serverTypes?.[type];
    if (overrides === undefined)
      throw new Error(`unknown server type "${type}": define it under provider.serverTypes`);
    const entry = resolve(overrides.workerEntry ?? options.workerEntry);
    return {
      entry,
      bootDelayMs: overrides.bootDelayMs ?? options.bootDelayMs ?? 3_000,
      nodeArgs: serverArgs(entry),
    };
  };
  for (const type of ['default', ...Object.keys(options.serverTypes ?? {})]) {
    const field = type === 'default' ? 'provider.workerEntry' : `provider.serverTypes.${type}.workerEntry`;
    const entry = resolve(
      (type === 'default' ? undefined : options.serverTypes?.[type]?.workerEntry) ?? options.workerEntry,
    );
    if (!existsSync(entry)) throw new Error(`${field}: file not found: ${entry}`);
    const tsxMissing = tsxProblem(entry);
    if (tsxMissing !== undefined) throw new Error(`${field}: ${tsxMissing}`);
  }
  /** The worker entry's content and boot delay: editing the entry rolls the type's servers over. */
  const imageOf = (type: string) => {
    const { entry, bootDelayMs } = settingsOf(type);
    const digest = createHash('sha256').update(readFileSync(entry)).digest('hex').slice(0, 12);
    return `${entry.split('/').pop() ?? entry} ${digest}, boot ${bootDelayMs} ms`;
  };
  const dir = resolve(options.stateDir ?? '.autoscaler-local', options.cluster);
  // Records and logs are the operator's alone: a worker's log may quote its environment.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const recordPath = (id: string) => join(dir, `${id}.json`);

  const readRecord = (id: string): ProcessRecord | undefined => {
    try {
      return JSON.parse(readFileSync(recordPath(id), 'utf8')) as ProcessRecord;
    } catch {
      return undefined;
    }
  };
  const liveRecord = (id: string): ProcessRecord | undefined => {
    const record = readRecord(id);
    if (record && isAlive(record.pid)) return record;
    if (record) rmSync(recordPath(id), { force: true });
    return undefined;
  };
  const toServer = (r: ProcessRecord): ProviderServer => ({
    providerId: r.providerId,
    name: r.name,
    tags: r.tags,
    status: 'active',
    createdAtMs: r.createdAtMs,
  });

  return {
    name: 'local-process',
    maxBatch: 50,
    async create(specs: ServerSpec[], createOptions?: CreateOptions): Promise<CreatedServer[]> {
      for (const spec of specs) settingsOf(typeOf(spec)); // an unknown type fails the call before anything starts
      // Creating a name that already runs adopts it, as a cloud provider's lookup by name would.
      const running = specs.filter((spec) => liveRecord(spec.name));
      const toStart = await creatable(
        specs.filter((spec) => !running.includes(spec)),
        createOptions,
      );
      const adopted = running.map((spec) => ({ serverId: spec.serverId, providerId: spec.name }));
      return adopted.concat(
        toStart.map((spec) => {
          const providerId = spec.name;
          const { nodeArgs, bootDelayMs } = settingsOf(typeOf(spec));
          const image = imageOf(typeOf(spec));
          rmSync(join(dir, `${providerId}.exit`), { force: true });
          const pid = startServer(spec, nodeArgs, bootDelayMs, dir, providerId);
          const record: ProcessRecord = {
            providerId,
            name: spec.name,
            tags: spec.tags,
            pid,
            createdAtMs: Date.now(),
          };
          writeFileSync(recordPath(providerId), JSON.stringify(record), { mode: 0o600 });
          return { serverId: spec.serverId, providerId, image };
        }),
      );
    },
    async get(providerId) {
      const record = liveRecord(providerId);
      return record ? toServer(record) : undefined;
    },
    async list(ownerTag) {
      const ids = readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -'.json'.length));
      return ids
        .map(liveRecord)
        .filter((r): r is ProcessRecord => r?.tags.includes(ownerTag) === true)
        .map(toServer);
    },
    async destroy(providerId) {
      const record = liveRecord(providerId);
      if (record) await stopProcess(record.pid, options.killGraceMs ?? 30_000);
      rmSync(recordPath(providerId), { force: true });
    },
    async goneReason(providerId) {
      if (liveRecord(providerId)) return undefined;
      return describeExit(dir, providerId);
    },
    // A local process costs nothing an hourly cap could count.
    async serverHourlyPriceUsd() {
      return 0;
    },
    async currentImage(type: string) {
      return imageOf(type);
    },
    async close() {},
  };
}

function startServer(
  spec: ServerSpec,
  nodeArgs: string[],
  bootDelayMs: number,
  dir: string,
  id: string,
): number {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...spec.env,
    BOOT_DELAY_MS: String(bootDelayMs),
    LOCAL_EXIT_FILE: join(dir, `${id}.exit`),
  };
  const logPath = join(dir, `${id}.log`);
  for (const name of withheldEnv) delete env[name];
  const log = openSync(logPath, 'a', 0o600);
  try {
    const child = spawn(process.execPath, nodeArgs, {
      env,
      detached: true,
      stdio: ['ignore', log, log],
      shell: false,
    });
    if (child.pid === undefined) throw new Error(`could not start ${nodeArgs.join(' ')}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/**
 * How a local server runs its entry: node (with tsx's loader for TypeScript) on the boot script,
 * which waits out the boot delay, then imports the entry. `doctor` runs the same, so what it
 * loads is what a server would.
 */
export function serverArgs(entry: string): string[] {
  const tsxLoader = runsThroughTsx(entry) ? tsxLoaderUrl() : undefined;
  return [...(tsxLoader === undefined ? [] : ['--import', tsxLoader]), bootScript, entry];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGTERM lets runServerWorker drain; SIGKILL only once the grace period is over. */
async function stopProcess(pid: number, graceMs: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/** `exit code 1; last output: … | …` from the files the server left (the scaler redacts it). */
function describeExit(dir: string, id: string): string {
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch {
      return undefined;
    }
  };
  return exitSummary(read(`${id}.exit`)?.trim(), read(`${id}.log`) ?? '');
}

/** An exit code (undefined: killed, or never recorded) and what the output says, on one line. */
export function exitSummary(code: string | number | undefined, output: string): string {
  const lines = telling(output).map((line) => (line.length > 200 ? `${line.slice(0, 199)}…` : line));
  const parts = [
    code === undefined ? 'killed or lost (no exit code recorded)' : `exit code ${code}`,
    ...(lines.length === 0 ? [] : [`last output: ${lines.join(' | ')}`]),
  ];
  return parts.join('; ');
}

/** Stack frames, Node's banner and caret lines say nothing an operator can act on. */
const noise = /^(at |\^+$|node:internal\/|Node\.js v|throw err;$|triggerUncaughtException\(|[{}]$)/;

/**
 * The lines that explain a crash: from the last thrown error's first line on (its message, its
 * `code`), else the last lines the worker printed.
 */
function telling(output: string): string[] {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !noise.test(line));
  const thrown = lines.findLastIndex((line) => /^[A-Z]?\w*Error\b/.test(line));
  return thrown === -1 ? lines.slice(-lastLinesShown) : lines.slice(thrown, thrown + lastLinesShown);
}
