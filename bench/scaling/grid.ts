import { workBoundSeconds } from '../../src/simulate/baselines.ts';
import { type GeneratorName, generate } from '../../src/simulate/generators.ts';
import type { PoolSetup } from '../../src/simulate/policy.ts';
import { allPolicies, defaultBilling, runPolicy } from '../../src/simulate/run.ts';
import { dominates, type Row } from './report.ts';

/** The sensitivity grid the issue asks for: every boot time × wait target on three trace shapes. */
export const gridBootsSeconds = [30, 60, 180];
export const gridTargetsSeconds = [10, 30, 120];
export const gridTraces: GeneratorName[] = ['steady', 'spike', 'recurring-bursts'];

export interface Cell {
  generator: string;
  bootSeconds: number;
  targetSeconds: number;
  rows: Row[];
}

/** Runs ours and every peer in each cell; the same simulator, seed and billing as the main table. */
export function runGrid(setup: PoolSetup, queues: readonly string[], warmupMs: number): Cell[] {
  const cells: Cell[] = [];
  for (const generator of gridTraces) {
    const trace = generate(generator, queues);
    const bound = workBoundSeconds(trace, setup.policy.slotsPerServer);
    for (const bootSeconds of gridBootsSeconds) {
      for (const targetSeconds of gridTargetsSeconds) {
        const policy = { ...setup.policy, bootMs: bootSeconds * 1000, targetWaitMs: targetSeconds * 1000 };
        const scenario = { trace, setup: { ...setup, policy }, billing: defaultBilling, seed: 1, warmupMs };
        const rows = allPolicies(scenario).map((p) => {
          const { figures } = runPolicy(scenario, p);
          return { generator, policy: p.name, figures, workBoundSeconds: bound };
        });
        cells.push({ generator, bootSeconds, targetSeconds, rows });
      }
    }
  }
  return cells;
}

const pct = (share: number) => `${(share * 100).toFixed(2)} %`;
const hours = (row: Row) => (row.figures.serverSeconds / 3600).toFixed(1);

/** One line per cell: ours, the peer with the best share, and every peer that beats ours there. */
export function gridTable(cells: Cell[]): string[] {
  const lines = [
    '| trace | boot | target | ours: within target, server-h | best peer by share | peers beating ours |',
    '|---|--:|--:|--:|---|---|',
  ];
  for (const c of cells) {
    const ours = c.rows.find((r) => r.policy === 'ours');
    if (ours === undefined) continue;
    const peers = c.rows.filter((r) => r.policy !== 'ours');
    const best = [...peers].sort(
      (a, b) =>
        b.figures.withinTarget - a.figures.withinTarget || a.figures.serverSeconds - b.figures.serverSeconds,
    )[0];
    const beating = peers.filter((p) => dominates(p, ours));
    lines.push(
      `| ${c.generator} | ${c.bootSeconds} s | ${c.targetSeconds} s | ${pct(ours.figures.withinTarget)}, ${hours(ours)} | ` +
        `${best ? `${best.policy}: ${pct(best.figures.withinTarget)}, ${hours(best)}` : '—'} | ` +
        `${beating.length === 0 ? 'none' : beating.map((p) => `${p.policy} (${pct(p.figures.withinTarget)}, ${hours(p)})`).join('; ')} |`,
    );
  }
  return lines;
}
