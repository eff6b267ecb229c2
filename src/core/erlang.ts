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
