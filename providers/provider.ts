/**
 * The contract every server provider implements. Providers know nothing about BullMQ or the
 * fleet records: they create, look up, list and destroy servers carrying our tags.
 */

/** What the scaler asks for: one server, named and tagged by the scaler. */
export interface ServerSpec {
  /** The scaler's id for the server; stable across retries and restarts. */
  serverId: string;
  /** A provider-safe host name (letters, digits, dots and dashes). */
  name: string;
  pool: string;
  /**
   * The server type to create: a key of the provider block's `serverTypes`, or `default` for the
   * provider block's own settings. It decides size, image, regions, user_data, worker entry.
   * @default 'default'
   */
  type?: string | undefined;
  /** Tags the server must carry; the first is the ownership tag of the scaler cluster. */
  tags: string[];
  /** Environment the server's worker needs (SERVER_ID, SERVER_NAME, POOL, REDIS_URL, …). */
  env: Record<string, string>;
}

export interface ProviderServer {
  /** The provider's own id for the server. */
  providerId: string;
  name: string;
  tags: string[];
  /** Provider-level status; says nothing about whether the worker is ready. */
  status: 'new' | 'active' | 'off' | 'gone';
  createdAtMs: number;
  /** Where it runs (a region), when the provider has such a notion. */
  region?: string | undefined;
}

export interface CreatedServer {
  serverId: string;
  providerId: string;
  /** Where the server was placed (a region, a zone), when the provider has such a notion. */
  region?: string | undefined;
  /** What the server runs: the provider's image fingerprint for its type, see currentImage(). */
  image?: string | undefined;
}

export interface CreateOptions {
  /**
   * Asked right before servers are bought, after the provider has looked up which already exist:
   * which of these server ids may still be created? The scaler answers from its records, so a
   * server it has meanwhile adopted, replaced or given up on is not bought a second time. Servers
   * left out are neither created nor returned. When absent, every spec may be created.
   */
  mayCreate?: (serverIds: string[]) => Promise<Set<string>>;
}

export interface Provider {
  readonly name: string;
  /** Most servers one create call may carry; the planner batches by it. */
  readonly maxBatch: number;
  /**
   * Creates every spec (that `mayCreate` allows) or throws; a partial batch is reported through
   * ProviderError.created. A spec whose server already exists is returned, not created again.
   */
  create(specs: ServerSpec[], options?: CreateOptions): Promise<CreatedServer[]>;
  /** undefined means the server is gone. */
  get(providerId: string): Promise<ProviderServer | undefined>;
  /** Every server carrying the tag, across all pages. */
  list(ownerTag: string): Promise<ProviderServer[]>;
  /** Idempotent: destroying a server that is already gone succeeds. */
  destroy(providerId: string): Promise<void>;
  /**
   * What one server of the type costs per hour (USD); undefined when the provider cannot tell.
   * Feeds the cost cap: a provider without it cannot be capped by cost, so creates stop.
   */
  serverHourlyPriceUsd?(type: string): Promise<number | undefined>;
  /**
   * A fingerprint of what a server of the type created now would run (image, size, boot script,
   * worker entry). A server whose recorded image differs is outdated, and the scaler replaces it
   * by a rolling surge-and-drain. The provider may cache it, but must notice a new image in
   * reasonable time (e.g. a new snapshot of the same name). undefined: the provider cannot tell.
   */
  currentImage?(type: string): Promise<string | undefined>;
  /**
   * Why a server that is gone stopped, when the provider can tell (the local-process provider:
   * its exit code and last lines of output), so a crash-looping worker is visible in the event
   * instead of only in a log file on the machine.
   */
  goneReason?(providerId: string): Promise<string | undefined>;
  /** Releases clients and timers; servers keep running. */
  close(): Promise<void>;
}

/**
 * Where a provider reports what an operator should see but the scaler does not decide on, such
 * as a retried create or destroy. A pino logger fits; the scaler passes its own.
 */
export interface ProviderLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** A provider's own API budget: most requests started in any minute and in any hour. */
export interface RequestLimits {
  perMinute: number;
  perHour: number;
  /**
   * Share of both budgets the request may fill, in (0, 1]: bookkeeping asks for less than
   * creates, and creates for less than destroys, so the more urgent work always finds room.
   * @default 1
   */
  share?: number;
}

/** What `tryStart` answers. */
export interface RequestStart {
  /** 0 when the request was counted and may start; otherwise nothing was counted: ms until one would fit. */
  waitMs: number;
  /** The per-minute budget in force: `limits.perMinute`, or less while it recovers from a 429. */
  perMinute: number;
}

/**
 * How fast a per-minute budget cut for a 429 grows back: a twentieth of the configured budget
 * per minute (at least one request), so a cut is not followed by the next 429 within seconds.
 */
export function budgetRecoveryPerMinute(limits: RequestLimits): number {
  return Math.max(1, limits.perMinute / 20);
}

/**
 * The lowest a cut goes: a tenth of the configured budget (at least one request a minute). A 429
 * after a handful of requests means someone else spends the token, or a proxy's fault: halving
 * a handful would stall every create and destroy for minutes.
 */
export function budgetFloor(limits: RequestLimits): number {
  return Math.max(1, Math.floor(limits.perMinute / 10));
}

/**
 * Where a provider counts its API requests. The scaler hands providers windows kept in Redis
 * under the cluster's keys, so a scaler restarted after a crash, or a second scaler, shares one
 * budget instead of each starting with a fresh one.
 *
 * A request counts from its start until its end, then at its end time: the latest moment it can
 * have reached the API. So however long a request spends between being counted and arriving
 * (a busy event loop, a slow network), the API never sees more than the limits in any window,
 * as long as no request lasts longer than a minute.
 *
 * The per-minute budget adapts (AIMD): a 429 halves it, `budgetRecoveryPerMinute` grows it back.
 * An API whose real limit is below the configured one (a token shared with other tools, a proxy
 * with its own limit) is met at its own rate instead of being hit again and again.
 */
export interface RequestWindows {
  /** Counts request `requestId` if it fits both limits (times its share). */
  tryStart(requestId: string, limits: RequestLimits): Promise<RequestStart>;
  /** The request has ended (answered or failed): from now on it counts at this moment. Never rejects. */
  end(requestId: string): Promise<void>;
  /**
   * The API refused request `requestId` for its rate (429): the per-minute budget drops to half of
   * what was counted in the last minute, but not below `budgetFloor`. From the cut on, the per-minute window counts only requests made after it:
   * the ones before were paid for by the Retry-After pause. A 429 for a request started before
   * the last cut cuts nothing more: it was sent under the old budget. Call it before `end`.
   * Never rejects.
   */
  throttled(requestId: string, limits: RequestLimits): Promise<void>;
}

/** The server type a spec asks for; specs from before server types existed ask for `default`. */
export function typeOf(spec: ServerSpec): string {
  return spec.type ?? 'default';
}

/** `mayCreate` applied to the specs the provider found missing: the ones it may buy. */
export async function creatable(
  specs: ServerSpec[],
  options: CreateOptions | undefined,
): Promise<ServerSpec[]> {
  if (specs.length === 0 || options?.mayCreate === undefined) return specs;
  const allowed = await options.mayCreate(specs.map((s) => s.serverId));
  return specs.filter((s) => allowed.has(s.serverId));
}

/** Every provider failure, normalised so callers can decide to retry without knowing the provider. */
export class ProviderError extends Error {
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly created: CreatedServer[];

  constructor(
    message: string,
    options: {
      status?: number;
      retryable: boolean;
      retryAfterMs?: number;
      created?: CreatedServer[];
      cause?: unknown;
    },
  ) {
    super(message, { cause: options.cause });
    this.name = 'ProviderError';
    this.status = options.status;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.created = options.created ?? [];
  }
}

/** The caller must learn about servers that exist although the create as a whole failed. */
export function withCreated(error: unknown, created: CreatedServer[]): unknown {
  if (!(error instanceof ProviderError) || created.length === 0) return error;
  return new ProviderError(error.message, {
    ...(error.status === undefined ? {} : { status: error.status }),
    retryable: error.retryable,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    created,
    cause: error,
  });
}

/**
 * A bookkeeping call (the reconciler's list or get) the provider declined without waiting: its
 * API budget is being kept for creates and destroys. Ask again next round.
 */
export class BudgetBusyError extends ProviderError {
  constructor(message: string) {
    super(message, { retryable: false });
    this.name = 'BudgetBusyError';
  }
}

/** The ownership tag of a scaler cluster: nothing without it is ever listed, touched or deleted. */
export function ownerTagOf(cluster: string): string {
  return `bullmq-autoscaler-${cluster}`;
}

export function poolTagOf(pool: string): string {
  return `bullmq-autoscaler-pool-${pool}`;
}

/*
 * user_data templates, shared by the providers that boot servers from an image with a script:
 * the same placeholders render the same way on every cloud.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\s*\}\}/g;

export interface UserDataValues {
  /** The ServerSpec env: SERVER_ID, SERVER_NAME, POOL, REDIS_URL, AUTOSCALER_CLUSTER, BULLMQ_PREFIX, … */
  env: Record<string, string>;
  /** The user's own variables, reachable as {{vars.NAME}}. */
  vars: Record<string, string>;
}

/** A POSIX shell single-quoted word: nothing inside is expanded, so any value is safe. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function lookup(key: string, values: UserDataValues): string | undefined {
  if (key.startsWith('vars.')) return values.vars[key.slice('vars.'.length)];
  return values.env[key];
}

/**
 * Fills {{NAME}} and {{vars.NAME}} placeholders with shell-quoted values. Unknown placeholders
 * fail rather than render empty, since an empty REDIS_URL boots a server that never works.
 */
export function renderUserData(template: string, values: UserDataValues): string {
  const unknown = new Set<string>();
  const rendered = template.replace(PLACEHOLDER, (match, key: string) => {
    const value = lookup(key, values);
    if (value === undefined) {
      unknown.add(key);
      return match;
    }
    return shellQuote(value);
  });
  if (unknown.size > 0) {
    const known = [...Object.keys(values.env), ...Object.keys(values.vars).map((k) => `vars.${k}`)];
    throw new Error(
      `provider.userDataFile uses unknown placeholder(s) ${[...unknown].map((k) => `{{${k}}}`).join(', ')}: ` +
        `known are ${known.map((k) => `{{${k}}}`).join(' ')} (add missing ones to provider.userDataVars)`,
    );
  }
  return rendered;
}

/**
 * What a doctor renders user_data with: a plausible server's values, then the caller's (the real
 * REDIS_URL and BULLMQ_PREFIX), so a template's unknown placeholders fail before any server does.
 */
export function sampleServerEnv(cluster: string, given: Record<string, string> = {}): Record<string, string> {
  return {
    SERVER_ID: 'doctor-sample',
    SERVER_NAME: `${cluster}-doctor-sample`,
    POOL: 'doctor-sample',
    REDIS_URL: 'redis://127.0.0.1:6379',
    AUTOSCALER_CLUSTER: cluster,
    BULLMQ_PREFIX: 'bull',
    ...given,
  };
}
