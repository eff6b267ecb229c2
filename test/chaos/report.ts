import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { RunResult } from './run.ts';
import { scenarios } from './scenarios.ts';

const docPath = resolve(import.meta.dirname, '../../docs/reliability.md');
/** Every run's figures and seed, so the table can be checked and a run replayed. */
const runsPath = resolve(import.meta.dirname, '../../docs/reliability-runs.json');
const start = '<!-- chaos-figures:start -->';
const end = '<!-- chaos-figures:end -->';

/** Figures added after some runs were recorded: those runs lack them. */
type LaterFigures = 'forcedRemovals' | 'healthyServersFailed' | 'unexplainedReruns';

/** Runs recorded before a figure existed lack it: the table shows a dash, not a zero. */
interface StoredRun extends Omit<RunResult, LaterFigures>, Partial<Pick<RunResult, LaterFigures>> {
  ranOn: string;
  node: string;
}

/**
 * Replaces the figures between the markers of docs/reliability.md (the prose around them stays)
 * and the runs in docs/reliability-runs.json. Scenarios not run this time keep their last runs.
 */
export async function writeFigures(results: RunResult[], o: { convergeBoundMs: number }): Promise<void> {
  const fresh = new Set(results.map((r) => r.scenario));
  const stamp = { ranOn: new Date().toISOString().slice(0, 10), node: process.version };
  const runs: StoredRun[] = [
    ...(await storedRuns()).filter((r) => !fresh.has(r.scenario)),
    ...results.map((r) => ({ ...r, ...stamp })),
  ];
  await writeFile(runsPath, `${JSON.stringify(runs, null, 1)}\n`);
  const doc = await readFile(docPath, 'utf8');
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/reliability.md lacks the ${start} … ${end} markers`);
  const figures = [start, '', ...figuresOf(runs, o), '', end].join('\n');
  await writeFile(docPath, doc.slice(0, from) + figures + doc.slice(to + end.length));
}

async function storedRuns(): Promise<StoredRun[]> {
  try {
    return JSON.parse(await readFile(runsPath, 'utf8')) as StoredRun[];
  } catch {
    return [];
  }
}

function figuresOf(results: StoredRun[], o: { convergeBoundMs: number }): string[] {
  const rows = scenarios('full')
    .map((s) => ({ s, runs: results.filter((r) => r.scenario === s.name) }))
    .filter(({ runs }) => runs.length > 0);
  return [
    'Each row is the last full run of that scenario (`npm run chaos`); every run with its seed is in',
    '[reliability-runs.json](reliability-runs.json) (replay one with `CHAOS_SEED=<seed> CHAOS_ONLY=<scenario> npm run chaos`).',
    '',
    '| scenario | ran on | runs | invariants held | jobs (completed / failed past stall limit / re-run) | re-runs without a cause | droplets created | duplicates | orphans left | untagged touched | faults injected | hangs / heartbeat losses / servers cut off | healthy servers failed | kills (scaler / worker) | peak API calls per minute | first ready (median) | converged to 0 (median / max) |',
    '| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | ---: | --- |',
    ...rows.map(({ s, runs }) => rowOf(s.name, runs)),
    '',
    `Convergence bound: ${o.convergeBoundMs / 1000} s from the last job's \`finishedOn\` to no record and no droplet.`,
    ...brokenLines(results),
  ];
}

function rowOf(name: string, runs: StoredRun[]): string {
  const sum = (pick: (r: StoredRun) => number) => runs.reduce((n, r) => n + pick(r), 0);
  const held = runs.filter((r) => r.violations.length === 0).length;
  const converge = runs.map((r) => r.convergeMs);
  const firstReady = runs.map((r) => r.firstReadyMs ?? Number.NaN).filter(Number.isFinite);
  return [
    name,
    [...new Set(runs.map((r) => `${r.ranOn}, Node ${r.node}`))].join('; '),
    runs.length,
    `${held}/${runs.length}`,
    `${sum((r) => r.jobs)} (${sum((r) => r.completed)} / ${sum((r) => r.failedStalled)} / ${sum((r) => r.rerunJobs)})`,
    counted(runs, (r) => r.unexplainedReruns?.length),
    sum((r) => r.dropletsCreated),
    sum((r) => r.duplicateDroplets + r.duplicateServerProcesses),
    sum((r) => r.leftoverDroplets),
    sum((r) => r.bystandersTouched),
    sum((r) => r.faultsInjected),
    `${sum((r) => r.hangs)} / ${sum((r) => r.heartbeatLosses)} / ${counted(runs, (r) => r.forcedRemovals)}`,
    counted(runs, (r) => r.healthyServersFailed?.length),
    `${sum((r) => r.scalerKills)} / ${sum((r) => r.workerCrashes)}`,
    Math.max(...runs.map((r) => r.peakCallsPerMinute)),
    seconds(median(firstReady)),
    `${seconds(median(converge))} / ${seconds(Math.max(...converge))}`,
  ]
    .map(String)
    .reduce((line, cell) => `${line} ${cell} |`, '|');
}

/** The sum of a figure over the runs, or a dash when a run predates it. */
function counted(runs: StoredRun[], pick: (r: StoredRun) => number | undefined): string {
  const counts = runs.map(pick);
  return counts.every((n) => n !== undefined) ? String(counts.reduce((a, b) => a + b, 0)) : '–';
}

function brokenLines(results: StoredRun[]): string[] {
  const broken = results.flatMap((r) => r.violations.map((v) => `- ${r.scenario} (seed ${r.seed}): ${v}`));
  return broken.length === 0 ? [] : ['', 'Invariants broken in the runs above:', '', ...broken];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function seconds(ms: number): string {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '—';
}
