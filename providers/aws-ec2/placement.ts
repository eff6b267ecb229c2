import { ProviderError, type ServerSpec } from '../provider.ts';
import { Ec2Error } from './client.ts';
import type { InstanceTypeSettings, Market } from './config.ts';

export interface Placement {
  subnetId: string;
  market: 'spot' | 'on-demand';
}

export interface Launch {
  /** How many of the specs, from the first, EC2 launched (it may start fewer than asked). */
  launched: number;
}

/** EC2's answers when a zone has no room for the type (or no free address in the subnet). */
const NO_ROOM = new Set([
  'InsufficientInstanceCapacity',
  'InsufficientFreeAddressesInSubnet',
  'Unsupported',
  'InsufficientCapacity',
]);
/** Spot refusals that hold in every zone: the price ceiling, the account's spot quota. */
const NO_SPOT = new Set([
  'SpotMaxPriceTooLow',
  'MaxSpotInstanceCountExceeded',
  'InsufficientSpotInstanceCapacity',
]);

function marketsOf(market: Market): Placement['market'][] {
  if (market === 'spot-with-fallback') return ['spot', 'on-demand'];
  return [market];
}

/**
 * Launches in the type's subnets in order of preference, spot before on-demand for
 * spot-with-fallback. A place that refuses for lack of capacity is skipped for `coolOffMs` and
 * the next is tried at once: nothing was bought, so nothing can be bought twice, and the pool's
 * create backoff (its circuit) is not involved. A spot price or quota refusal skips spot
 * everywhere. Specs EC2 did not launch (it may start fewer than asked) go to the next place.
 */
export async function launchInFirstPlaceWithRoom(
  specs: ServerSpec[],
  settings: InstanceTypeSettings,
  coolingUntilMs: Map<string, number>,
  coolOffMs: number,
  now: () => number,
  launch: (specs: ServerSpec[], placement: Placement) => Promise<Launch>,
): Promise<void> {
  const keyOf = (p: Placement) =>
    `${p.subnetId}/${settings.instanceType ?? settings.launchTemplateId}/${p.market}`;
  const places = marketsOf(settings.market).flatMap((market) =>
    settings.subnetIds.map((subnetId) => ({ subnetId, market })),
  );
  const refused: string[] = [];
  let remaining = specs;
  for (const place of places) {
    if ((coolingUntilMs.get(keyOf(place)) ?? 0) > now()) continue;
    try {
      const { launched } = await launch(remaining, place);
      remaining = remaining.slice(launched);
      if (remaining.length === 0) return;
      coolingUntilMs.set(keyOf(place), now() + coolOffMs);
      refused.push(`${place.market} in ${place.subnetId} (launched ${launched})`);
    } catch (error) {
      if (!(error instanceof Ec2Error)) throw error;
      if (NO_SPOT.has(error.code) && place.market === 'spot') {
        for (const p of places.filter((q) => q.market === 'spot'))
          coolingUntilMs.set(keyOf(p), now() + coolOffMs);
      } else if (NO_ROOM.has(error.code)) {
        coolingUntilMs.set(keyOf(place), now() + coolOffMs);
      } else throw error;
      refused.push(`${place.market} in ${place.subnetId} (${error.code})`);
    }
  }
  const until = Math.min(...places.map((p) => coolingUntilMs.get(keyOf(p)) ?? now()));
  throw new ProviderError(
    `no subnet has room for ${settings.instanceType ?? settings.launchTemplateId} (server type ${settings.type}, ` +
      `${remaining.length} of ${specs.length} not launched): ${refused.length > 0 ? `refused ${refused.join(', ')}; ` : ''}` +
      'every place of the type is cooling off — add subnets in other zones, another instance type, or spot-with-fallback',
    { status: 500, retryable: true, retryAfterMs: Math.max(1_000, until - now()) },
  );
}
