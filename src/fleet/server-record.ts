import { allStates } from '../core/server-state.ts';
import type { ServerState } from '../core/types.ts';

/** The scaler's durable record of one server; the provider's view is only ever compared with it. */
export interface ServerRecord {
  id: string;
  name: string;
  pool: string;
  state: ServerState;
  providerId: string | undefined;
  createdAtMs: number;
  updatedAtMs: number;
  /** When the provider's create call went out: the create deadline and learned boot times count from it. */
  createCalledAtMs: number | undefined;
  /** The provisioning job that claimed this server's create; only it may (re)try the create. */
  createJobId?: string | undefined;
  readyAtMs: number | undefined;
  drainStartedAtMs: number | undefined;
  /** Why the server reached its current state. */
  reason: string;
  /** The pool's server type when it was requested (`default`: the provider block's settings). */
  type?: string | undefined;
  /** Where the provider placed it (a region), once created. */
  region?: string | undefined;
  /** The provider's image fingerprint it was created with: differing from today's makes it outdated. */
  image?: string | undefined;
}

/** A server the scaler has just decided to have: nothing has been asked of the provider yet. */
export function requestedRecord(o: {
  id: string;
  name: string;
  pool: string;
  nowMs: number;
  reason: string;
  /** @default 'default' */
  type?: string;
}): ServerRecord {
  return {
    id: o.id,
    name: o.name,
    pool: o.pool,
    state: 'requested',
    providerId: undefined,
    createdAtMs: o.nowMs,
    updatedAtMs: o.nowMs,
    createCalledAtMs: undefined,
    readyAtMs: undefined,
    drainStartedAtMs: undefined,
    reason: o.reason,
    type: o.type ?? 'default',
  };
}

export function toHash(record: ServerRecord): Record<string, string> {
  const hash: Record<string, string> = {};
  for (const [field, value] of Object.entries(record)) {
    if (value !== undefined) hash[field] = String(value);
  }
  return hash;
}

export function fromHash(hash: Record<string, string>): ServerRecord | undefined {
  const state = hash.state as ServerState | undefined;
  if (hash.id === undefined || hash.pool === undefined || state === undefined || !allStates.includes(state)) {
    return undefined;
  }
  return {
    id: hash.id,
    name: hash.name ?? hash.id,
    pool: hash.pool,
    state,
    providerId: hash.providerId,
    createdAtMs: Number(hash.createdAtMs ?? 0),
    updatedAtMs: Number(hash.updatedAtMs ?? 0),
    createCalledAtMs: optionalNumber(hash.createCalledAtMs),
    createJobId: hash.createJobId,
    readyAtMs: optionalNumber(hash.readyAtMs),
    drainStartedAtMs: optionalNumber(hash.drainStartedAtMs),
    reason: hash.reason ?? '',
    type: hash.type ?? 'default',
    region: hash.region,
    image: hash.image,
  };
}

function optionalNumber(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}
