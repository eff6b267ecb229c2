import { liveStates } from './server-state.ts';
import type { ServerState } from './types.ts';

/** What a server's record says about its bill. */
interface Billable {
  state: ServerState;
  providerId: string | undefined;
  type?: string | undefined;
}

/**
 * What the servers still billed (live, with a cloud server behind them) cost per hour, each at its
 * type's price; undefined when any one's price is unknown, since a partial sum would understate it.
 */
export async function billedHourlyCostUsd(
  records: readonly Billable[],
  priceOf: (type: string) => Promise<number | undefined>,
): Promise<number | undefined> {
  let total = 0;
  for (const r of records) {
    if (!liveStates.includes(r.state) || r.providerId === undefined) continue;
    const price = await priceOf(r.type ?? 'default');
    if (price === undefined) return undefined;
    total += price;
  }
  return total;
}
