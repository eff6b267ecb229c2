import type { ServerState } from './types.ts';

/** Every legal move of a server; anything else is a bug or a race that lost. */
export const transitions: Readonly<Record<ServerState, readonly ServerState[]>> = {
  requested: ['creating', 'failed', 'deleting'],
  creating: ['booting', 'failed', 'hanging', 'deleting'],
  booting: ['ready', 'failed', 'hanging', 'draining', 'deleting'],
  ready: ['draining', 'failed', 'deleting'],
  draining: ['deleting', 'hanging'],
  deleting: ['deleted', 'hanging'],
  deleted: [],
  failed: ['deleting', 'deleted'],
  hanging: ['deleting', 'deleted'],
};

/** States whose servers provide (or will soon provide) capacity. */
export const capacityStates: readonly ServerState[] = ['requested', 'creating', 'booting', 'ready'];

/** Every state, in the order of the transition table. */
export const allStates = Object.keys(transitions) as ServerState[];

/** States that still have, or may have, a cloud server behind them. */
export const liveStates: readonly ServerState[] = allStates.filter((s) => s !== 'deleted');

export function canTransition(from: ServerState, to: ServerState): boolean {
  return transitions[from].includes(to);
}

export function fromStatesOf(to: ServerState): ServerState[] {
  return (Object.keys(transitions) as ServerState[]).filter((from) => canTransition(from, to));
}
