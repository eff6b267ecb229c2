import type { EventOf, ScalingEventName } from '../core/events.ts';
import type { Autoscaler } from '../scaler/autoscaler.ts';

/** What the HTTP surfaces and alerts read from a scaler. */
export type ScalerView = Pick<
  Autoscaler,
  'config' | 'health' | 'isLeader' | 'servers' | 'poolStates' | 'hourlyCostUsd' | 'on' | 'off'
>;

/** Listens to one event and returns how to stop, so a surface can undo all it subscribed. */
export function subscribe<N extends ScalingEventName>(
  scaler: ScalerView,
  name: N,
  listener: (event: EventOf<N>) => void,
): () => void {
  scaler.on(name, listener);
  return () => {
    scaler.off(name, listener);
  };
}
