import { afterAll, describe, expect, it } from 'vitest';
import { redisUrl } from '../helpers/redis.ts';
import { writeFigures } from './report.ts';
import { seedFrom } from './rng.ts';
import { convergeBoundMs, type RunResult, runScenario } from './run.ts';
import { scenarios } from './scenarios.ts';

/*
 * The full chaos run (`npm run chaos`): every scenario at full size, each repeated with its own
 * seed, then the figures written into docs/reliability.md. Scenarios run side by side; the runs
 * of one scenario one after another.
 */
const baseSeed = seedFrom(process.env.CHAOS_SEED);
const results: RunResult[] = [];

/** CHAOS_ONLY=<name>[,<name>…] runs only those scenarios. */
const only = process.env.CHAOS_ONLY?.split(',');

afterAll(async () => {
  if (results.length > 0) await writeFigures(results, { convergeBoundMs });
});

describe.concurrent('chaos (full)', () => {
  for (const scenario of scenarios('full').filter((s) => only === undefined || only.includes(s.name))) {
    it(`${scenario.name} ×${scenario.repeats}`, async () => {
      const broken: string[] = [];
      for (let run = 0; run < scenario.repeats; run++) {
        const result = await runScenario(scenario, redisUrl(), baseSeed + run);
        results.push(result);
        console.log(`[chaos] ${JSON.stringify(result)}`);
        broken.push(...result.violations.map((v) => `seed ${result.seed}: ${v}`));
      }
      expect(broken, `${scenario.name} broke invariants (CHAOS_SEED=${baseSeed})`).toEqual([]);
    });
  }
});
