import { redisConnectionOf } from '../config/redis-schema.ts';
import { FleetStore } from '../fleet/fleet-store.ts';
import { PinStore } from '../fleet/pin-store.ts';
import { QueueSampler } from '../sampler/queue-sampler.ts';
import { sampleLookAheadMs } from '../scaler/learned.ts';
import { decidePools } from '../scaler/tick.ts';
import { connectRedis, loadConfigFlag } from './context.ts';
import { type CliIo, exitCode } from './io.ts';

/** The dry run: one sample and the decision per pool. Reads Redis, writes nothing. */
export async function evalCommand(flags: { config?: string; json: boolean }, io: CliIo): Promise<number> {
  const config = await loadConfigFlag(flags.config, io);
  const redis = await connectRedis(redisConnectionOf(config.redis));
  try {
    const space = { prefix: config.redis.bullmqPrefix, cluster: config.cluster };
    const store = new FleetStore(redis, space);
    const nowMs = Date.now();
    const records = await store.list();
    const beats = await store.heartbeats(records.map((r) => r.id));
    const { samples, failures } = await new QueueSampler(redis, config.redis.bullmqPrefix).sample(
      config.pools.flatMap((p) => p.queues),
      nowMs,
      sampleLookAheadMs(config, new Map()),
    );
    const pins = await new PinStore(redis, space).active(
      config.pools.map((p) => p.name),
      nowMs,
    );
    const decisions = decidePools(config, new Map(), samples, records, beats, nowMs, pins);
    const pools = decisions.map(({ pool, decision, demand, schedule }) => ({
      pool: pool.name,
      ...demand,
      schedule: schedule ?? null,
      desired: decision.desired,
      current: decision.current,
      reason: decision.reason,
      terms: decision.terms,
      wouldDrain: decision.drain,
      queues: samples.filter((s) => pool.queues.includes(s.queue)).map(({ recentRuntimesMs: _, ...s }) => s),
    }));
    if (flags.json) io.out(JSON.stringify({ atMs: nowMs, pools, failures }, null, 2));
    else
      for (const p of pools) {
        io.out(`pool ${p.pool}: ${p.current} → ${p.desired} server(s): ${p.reason}`);
        io.out(
          `  backlog ${p.backlog} job(s), oldest wait ${(p.oldestWaitMs / 1000).toFixed(1)}s, ${p.activeJobs} running` +
            (p.wouldDrain.length > 0 ? `; would drain ${p.wouldDrain.join(', ')}` : ''),
        );
        if (p.schedule !== null)
          io.out(
            `  schedule ${p.schedule.label}: at least ${p.schedule.minServers} server(s) until ${new Date(p.schedule.untilMs).toISOString()}`,
          );
      }
    // A queue Redis could not read is named in either format (JSON: `failures`).
    if (!flags.json) for (const f of failures) io.out(`queue ${f.queue}: not read: ${f.error}`);
    return exitCode.ok;
  } finally {
    await redis.quit();
  }
}
