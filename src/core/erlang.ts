/**
 * Erlang C for an M/M/c queue: the probability that a job has to wait at all, with `slots` servers
 * and `offered` erlangs of load (arrival rate × runtime). Computed through the Erlang B recursion,
 * which stays stable for hundreds of slots.
 */
export function erlangC(slots: number, offered: number): number {
  if (offered <= 0) return 0;
  if (slots <= offered) return 1;
  let b = 1;
  for (let k = 1; k <= slots; k += 1) b = (offered * b) / (k + offered * b);
  return (slots * b) / (slots - offered * (1 - b));
}

/** P(wait > waitMs) in an M/M/c queue: waiting jobs leave at (slots − offered) ÷ runtime. */
export function waitExceedsProbability(
  slots: number,
  offered: number,
  runtimeMs: number,
  waitMs: number,
): number {
  if (slots <= offered) return 1;
  return erlangC(slots, offered) * Math.exp((-(slots - offered) * waitMs) / runtimeMs);
}

/** The fewest slots that keep P(wait > waitMs) at or below `risk`. */
export function slotsForWait(offered: number, runtimeMs: number, waitMs: number, risk: number): number {
  let slots = Math.max(1, Math.floor(offered) + 1);
  while (waitExceedsProbability(slots, offered, runtimeMs, waitMs) > risk) slots += 1;
  return slots;
}

/**
 * The queue length an M/M/c queue reaches at least `risk` of the time: P(queue ≥ n) = C · ρⁿ. A
 * queue no longer than this is what the load forms on `slots` busy slots, not a sign it outgrew them.
 * 0 when the slots cannot carry the load or queue that long less often than `risk`.
 */
export function queueAtRisk(slots: number, offered: number, risk: number): number {
  if (offered <= 0 || slots <= offered) return 0;
  const waits = erlangC(slots, offered);
  if (waits <= risk) return 0;
  return Math.floor(Math.log(risk / waits) / Math.log(offered / slots));
}
