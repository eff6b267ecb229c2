import { messageOf } from '../base/errors.ts';
import type { RedisClient } from '../base/redis-connection.ts';
import type { AutoscalerConfig } from '../config/schema.ts';
import { billedHourlyCostUsd } from '../core/cost.ts';
import { decisionInWords } from '../core/decision-words.ts';
import type { ScalingEvent } from '../core/events.ts';
import type { HistoryStore, PoolTick } from '../fleet/history-store.ts';
import type { ServerRecord } from '../fleet/server-record.ts';
import { finishedBetween } from '../sampler/queue-activity.ts';
import type { PoolState } from './tick.ts';

/** A tick stands for at most this many tick intervals: a stalled scaler must not bill a gap as spend. */
const maxTicksPerRecord = 3;

/**
 * The leader's side of the status page's history: after each tick it adds every pool's numbers to
 * the rings in RedisClient and marks each change of the desired count with the decision in words.
 */
export class PoolHistoryRecorder {
  private lastAtMs: number | undefined;
  private readonly lastDesired = new Map<string, number>();

  constructor(
    private readonly o: {
      history: HistoryStore;
      redis: RedisClient;
      config: AutoscalerConfig;
      /** What one server costs per hour; undefined when the provider cannot tell. */
      serverHourlyPriceUsd: (type: string) => Promise<number | undefined>;
      /** Where a failed write is reported: it is skipped, never allowed to cost the tick its reconcile. */
      emit: (event: ScalingEvent) => void;
    },
  ) {}

  /** A new term starts from RedisClient, not from what this process saw when it last led. */
  reset(): void {
    this.lastAtMs = undefined;
    this.lastDesired.clear();
  }

  async record(pools: ReadonlyMap<string, PoolState>, records: ServerRecord[], nowMs: number): Promise<void> {
    await this.write(pools, records, nowMs).catch((error: unknown) =>
      this.o.emit({ event: 'tick.failed', error: `history: ${messageOf(error)}` }),
    );
  }

  private async write(pools: ReadonlyMap<string, PoolState>, records: ServerRecord[], nowMs: number) {
    const { config } = this.o;
    const tickMs = config.tickMs;
    const elapsedMs = Math.min(nowMs - (this.lastAtMs ?? nowMs - tickMs), maxTicksPerRecord * tickMs);
    this.lastAtMs = nowMs;
    // A price the provider cannot give now (its API failing) is no reason to lose the history or the tick.
    const priceOf = (type: string) => this.o.serverHourlyPriceUsd(type).catch(() => undefined);
    const ticks = new Map<string, PoolTick>();
    await Promise.all(
      config.pools.map(async (pool) => {
        const state = pools.get(pool.name);
        if (state?.last === undefined || state.lastDemand === undefined) return;
        const finished = await finishedBetween(
          this.o.redis,
          config.redis.bullmqPrefix,
          pool.queues,
          nowMs - elapsedMs,
          nowMs,
        );
        const own = records.filter((r) => r.pool === pool.name);
        const servers: PoolTick['servers'] = {};
        for (const r of own) servers[r.state] = (servers[r.state] ?? 0) + 1;
        ticks.set(pool.name, {
          oldestWaitMs: state.lastDemand.oldestWaitMs,
          backlog: state.lastDemand.backlog,
          desired: state.last.desired,
          servers,
          ...finished,
          costPerHourUsd: await billedHourlyCostUsd(own, priceOf),
          elapsedMs,
        });
      }),
    );
    await this.o.history.record(ticks, nowMs);
    for (const pool of config.pools) await this.markChange(pool, pools.get(pool.name), nowMs);
  }

  /** A marker when the desired count moved; a new term's first decision marks a change from what runs. */
  private async markChange(
    pool: AutoscalerConfig['pools'][number],
    state: PoolState | undefined,
    nowMs: number,
  ): Promise<void> {
    if (state?.last === undefined || state.lastDemand === undefined) return;
    const from = this.lastDesired.get(pool.name) ?? state.last.current;
    const to = state.last.desired;
    this.lastDesired.set(pool.name, to);
    if (from === to) return;
    const words = decisionInWords({ ...state.lastDemand, ...state.last, pinnedTo: state.pin?.servers }, pool);
    await this.o.history.mark({ atMs: nowMs, pool: pool.name, from, to, words });
  }
}
