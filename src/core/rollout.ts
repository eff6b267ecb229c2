import { pickVictims } from './decide.ts';
import { capacityStates } from './server-state.ts';
import type { Decision, ServerView } from './types.ts';

/**
 * Rolling replacement of outdated servers (a new image for the pool's type, a server past
 * maxServerAgeMs, an operator's `rollout restart`) by surge-and-drain, the way a Kubernetes
 * Deployment's RollingUpdate with maxUnavailable 0 does it: replacements are created first, at
 * most `maxSurge` beyond the desired count, and an outdated server is drained only once enough
 * servers are ready without it. Drains are graceful (active jobs finish), so no job is cut off.
 * Pure: the scaler decides which servers are outdated and hands them in.
 */

export interface RolloutServer extends ServerView {
  /** Runs an image other than today's for its type, is past its maximum age, or predates a restart. */
  outdated: boolean;
}

export interface RolloutInput {
  /** What the policy (and any pin) wants for the pool this tick. */
  decision: Decision;
  servers: RolloutServer[];
  /** Most servers beyond the desired count while replacing. */
  maxSurge: number;
  /** The pool's hard cap: surge never buys past it. */
  maxServers: number;
  /** The pool's oldest job waits past its target: replacing would only cost capacity now. */
  waitOverTarget: boolean;
  /**
   * The desired count the rollout worked towards at the previous tick, if one was under way.
   * decide() holds at the current count while a backlog grows, and the current count includes the
   * surge: trusting such a hold would let every tick surge again on top of the last.
   */
  previousBase: number | undefined;
}

export interface RolloutStep {
  /** The decision to act on: desired raised by the surge, drains choosing outdated servers first. */
  decision: Decision;
  /** Outdated servers still providing capacity. */
  outdated: number;
  /** Servers beyond the desired count after this tick's creates. */
  surge: number;
  /** Outdated servers drained this tick to make way for their replacements. */
  replaced: string[];
  /** Replacement held back because the wait is over target. */
  paused: boolean;
  /** The desired count this tick's rollout worked towards (undefined when none is under way). */
  base: number | undefined;
}

export function rolloutStep(input: RolloutInput): RolloutStep {
  const { decision, servers } = input;
  const capacity = servers.filter((s) => capacityStates.includes(s.state));
  const outdated = capacity.filter((s) => s.outdated);
  const none = { outdated: outdated.length, surge: 0, replaced: [], base: undefined };
  if (outdated.length === 0) return { ...none, decision, paused: false };
  // The policy's own scale-down sheds outdated servers first: every drain is then a replacement.
  const policyDrain = preferOutdated(capacity, decision.drain.length);
  if (input.waitOverTarget || decision.desired === 0)
    return { ...none, decision: { ...decision, drain: policyDrain }, paused: input.waitOverTarget };

  const heldAtCurrent = decision.desired === decision.current && decision.drain.length === 0;
  const base =
    heldAtCurrent && input.previousBase !== undefined
      ? Math.min(decision.desired, input.previousBase)
      : decision.desired;
  const fresh = capacity.filter((s) => !s.outdated);
  const surgeRoom = Math.max(0, Math.min(input.maxSurge, input.maxServers - base));
  // At the pool's cap there is no room to surge: replace one server at a time instead, accepting
  // one server less for the length of a boot rather than never rolling out.
  const unavailable = surgeRoom === 0 ? 1 : 0;
  const creates = Math.max(0, Math.min(base - fresh.length, base + surgeRoom - capacity.length));
  // Beyond base + surge the pool sheds as the policy would, outdated and idle servers first...
  const excess = preferOutdated(capacity, Math.max(0, capacity.length - base - surgeRoom));
  // ...then replaces: an outdated server goes once enough servers are ready without it.
  const readyLeft = capacity.filter((s) => s.state === 'ready' && !excess.includes(s.id)).length;
  const replaced = pickVictims(
    outdated.filter((s) => s.state === 'ready' && !excess.includes(s.id)),
    Math.max(0, readyLeft - base + unavailable),
  );
  const drain = [...excess, ...replaced];
  const reason =
    `${decision.reason}; rolling out: ${outdated.length} outdated` +
    (creates > 0 ? `, ${creates} replacement${creates === 1 ? '' : 's'} requested` : '') +
    (replaced.length > 0 ? `, ${replaced.length} replaced` : '');
  return {
    decision: { ...decision, desired: decision.current + creates, drain, reason },
    outdated: outdated.length,
    surge: Math.max(0, capacity.length - drain.length + creates - base),
    replaced,
    paused: false,
    base,
  };
}

/** `count` victims, outdated ones first (idle first among them), then as decide() picks. */
function preferOutdated(capacity: RolloutServer[], count: number): string[] {
  if (count === 0) return [];
  const outdated = pickVictims(
    capacity.filter((s) => s.outdated),
    count,
  );
  const rest = pickVictims(
    capacity.filter((s) => !s.outdated),
    count - outdated.length,
  );
  return [...outdated, ...rest];
}
