import { expectedBurst } from './burst-memory.ts';
import { waitRiskServers } from './demand-terms.ts';
import type { DecisionMemory, PoolPolicy } from './types.ts';

/**
 * A burst is expected about when its predecessors' period says, give or take this share of the
 * boot time (onsets are seen a tick or two late, and the boot estimate is a p90, not a maximum).
 */
const burstLeadShare = 0.15;
/**
 * Learned bursts hold capacity until this share of a period past their expected start: long enough
 * for the live need to take over, short enough that a pattern that stopped costs little.
 */
const burstGraceShare = 0.15;
/**
 * The least time a new server is billed (per-second clouds: 60 s): what rebuilding a shed server costs
 * at least, however short its boot. A minimum charge in money (DigitalOcean's $0.01) is longer for a
 * cheap server; pools billed so keep servers through `keepPaidServersMs` (paid-minimum.ts).
 */
const minBilledMs = 60_000;
/** Guards ceil() against float noise such as 2.0000000001 servers. */
const epsilon = 1e-9;

/**
 * What a learned burst asks of the fleet now. Servers are bought one boot (and a margin) before it;
 * a server already there is kept when holding it until the burst costs no more than rebuilding it —
 * the lead (a boot of billing and the margin), or the minimum billing if that is more; during the
 * burst its size is held.
 */
export function burstPlan(memory: DecisionMemory, policy: PoolPolicy, nowMs: number, runtimeMs: number) {
  const learned = expectedBurst(memory.bursts);
  if (learned === undefined) return undefined;
  // Sized by the steady rule from the offered load a ready fleet measured, when it did: the peak count
  // of busy servers adds the Poisson noise the wait-risk rule already covers (27 servers learned for a
  // burst of 90 erlangs, which 23 serve with under 1 % of jobs waiting past a 10 s target).
  const expected =
    learned.load === undefined
      ? learned
      : {
          ...learned,
          servers: Math.ceil(
            waitRiskServers(learned.load * policy.slotsPerServer, runtimeMs, policy) - epsilon,
          ),
        };
  const leadMs = policy.bootMs * (1 + burstLeadShare);
  // Jobs that may wait longer than a boot are served in time by servers bought when they arrive:
  // pre-warming then only costs (recurring bursts with a 120 s target: 38.2 against 34.9 server-h).
  if (policy.targetWaitMs >= leadMs)
    return { expected, phase: 'gap' as const, floor: (_current: number) => 0 };
  const buyFromMs = expected.atMs - leadMs;
  const keepFromMs = expected.atMs - Math.max(leadMs, minBilledMs);
  const untilMs = expected.atMs + burstGraceShare * expected.periodMs;
  const servers = expected.servers;
  // Under way, the learned size is held while a reactive fleet could not yet have caught up (two
  // boots); after that the live need rules: held longer, a slow daily rise kept its size all day.
  const young = (memory.bursts.open?.startAtMs ?? Number.NEGATIVE_INFINITY) >= nowMs - 2 * policy.bootMs;
  if ((expected.underway && young) || (nowMs >= buyFromMs && nowMs <= untilMs))
    return { expected, phase: 'buy' as const, floor: () => servers };
  if (nowMs >= keepFromMs && nowMs < buyFromMs)
    return { expected, phase: 'keep' as const, floor: (current: number) => Math.min(current, servers) };
  return { expected, phase: 'gap' as const, floor: () => 0 };
}
