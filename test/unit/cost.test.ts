import { describe, expect, it } from 'vitest';
import { billedHourlyCostUsd } from '../../src/core/cost.ts';

const prices: Record<string, number> = { default: 0.1, big: 0.5 };
const priceOf = async (type: string) => prices[type];

describe('what the billed servers cost per hour', () => {
  it('sums each live server with a cloud server behind it at its own type’s price', async () => {
    const cost = await billedHourlyCostUsd(
      [
        { state: 'ready', providerId: 'a' },
        { state: 'draining', providerId: 'b', type: 'big' },
        { state: 'requested', providerId: undefined, type: 'big' },
        { state: 'deleted', providerId: 'c' },
      ],
      priceOf,
    );
    expect(cost).toBeCloseTo(0.6);
  });

  it('is unknown, not understated, when one type has no price', async () => {
    const records = [
      { state: 'ready' as const, providerId: 'a' },
      { state: 'ready' as const, providerId: 'b', type: 'gpu' },
    ];
    expect(await billedHourlyCostUsd(records, priceOf)).toBeUndefined();
  });
});
