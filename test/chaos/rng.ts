/** Seeded like the simulator (mulberry32), so a failing chaos run can be replayed from the seed it printed. */
export { seeded as seededRandom } from '../../src/simulate/prng.ts';

export function seedFrom(env: string | undefined): number {
  return Number(env ?? Date.now() % 1_000_000);
}
