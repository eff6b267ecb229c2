import { messageOf } from '../base/errors.ts';
import type { AutoscalerConfig } from '../config/schema.ts';
import type { ScalingEvent } from '../core/events.ts';
import type { QueueSample } from '../core/types.ts';
import { failuresByError, type QueueSampler } from '../sampler/queue-sampler.ts';
import { sampleLookAheadMs } from './learned.ts';
import type { PoolState } from './tick.ts';

/**
 * One sample of every pool's queues, or undefined (and an event) when Redis could not give one.
 * A queue Redis answered an error for fails alone and is named; its pool decides on the rest.
 */
export async function sampleRound(
  sampler: QueueSampler,
  config: AutoscalerConfig,
  pools: ReadonlyMap<string, PoolState>,
  nowMs: number,
  emit: (event: ScalingEvent) => void,
): Promise<QueueSample[] | undefined> {
  try {
    const round = await sampler.sample(
      config.pools.flatMap((p) => p.queues),
      nowMs,
      sampleLookAheadMs(config, pools),
    );
    for (const { error, queues } of failuresByError(round.failures))
      emit({ event: 'sample.failed', error, queues });
    return round.samples;
  } catch (error) {
    // No data, no decision: holding is the only choice that cannot drain a busy fleet.
    emit({ event: 'sample.failed', error: messageOf(error) });
    return undefined;
  }
}
