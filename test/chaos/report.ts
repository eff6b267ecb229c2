import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { RunResult } from './run.ts';
import { scenarios } from './scenarios.ts';

const docPath = resolve(import.meta.dirname, '../../docs/reliability.md');
const start = '<!-- chaos-figures:start -->';
const end = '<!-- chaos-figures:end -->';

/** Replaces the figures between the markers of docs/reliability.md; the prose around them stays. */
export async function writeFigures(
  results: RunResult[],
  o: { baseSeed: number; convergeBoundMs: number },
): Promise<void> {
  const doc = await readFile(docPath, 'utf8');
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/reliability.md lacks the ${start} … ${end} markers`);
  const figures = [start, '', ...figuresOf(results, o), '', end].join('\n');
  await writeFile(docPath, doc.slice(0, from) + figures + doc.slice(to + end.length));
}

function figuresOf(results: RunResult[], o: { baseSeed: number; convergeBoundMs: number }): string[] {
  const rows = scenarios('full')
    .map((s) => ({ s, runs: results.filter((r) => r.scenario === s.name) }))
    .filter(({ runs }) => runs.length > 0);
  return [
    `Last full run: ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, base seed ${o.baseSeed} ` +
      `(replay with \`CHAOS_SEED=${o.baseSeed} npm run chaos\`).`,
    '',
    '| scenario | runs | invariants held | jobs (completed / failed past stall limit / re-run) | droplets created | duplicates | orphans left | untagged touched | faults injected | hangs / heartbeat losses | kills (scaler / worker) | peak API calls per minute | first ready (median) | converged to 0 (median / max) |',
    '| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | --- |',
    ...rows.map(({ s, runs }) => rowOf(s.name, runs)),
    '',
    `Convergence bound: ${o.convergeBoundMs / 1000} s from the last job finishing to no record and no droplet.`,
    ...brokenLines(results),
  ];
}

function rowOf(name: string, runs: RunResult[]): string {
  const sum = (pick: (r: RunResult) => number) => runs.reduce((n, r) => n + pick(r), 0);
  const held = runs.filter((r) => r.violations.length === 0).length;
  const converge = runs.map((r) => r.convergeMs);
  const firstReady = runs.map((r) => r.firstReadyMs ?? Number.NaN).filter(Number.isFinite);
  return [
    name,
    runs.length,
    `${held}/${runs.length}`,
    `${sum((r) => r.jobs)} (${sum((r) => r.completed)} / ${sum((r) => r.failedStalled)} / ${sum((r) => r.rerunJobs)})`,
    sum((r) => r.dropletsCreated),
    sum((r) => r.duplicateDroplets + r.duplicateServerProcesses),
    sum((r) => r.leftoverDroplets),
    sum((r) => r.bystandersTouched),
    sum((r) => r.faultsInjected),
    `${sum((r) => r.hangs)} / ${sum((r) => r.heartbeatLosses)}`,
    `${sum((r) => r.scalerKills)} / ${sum((r) => r.workerCrashes)}`,
    Math.max(...runs.map((r) => r.peakCallsPerMinute)),
    seconds(median(firstReady)),
    `${seconds(median(converge))} / ${seconds(Math.max(...converge))}`,
  ]
    .map(String)
    .reduce((line, cell) => `${line} ${cell} |`, '|');
}

function brokenLines(results: RunResult[]): string[] {
  const broken = results.flatMap((r) => r.violations.map((v) => `- ${r.scenario} (seed ${r.seed}): ${v}`));
  return broken.length === 0 ? [] : ['', 'Invariants broken in this run:', '', ...broken];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function seconds(ms: number): string {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '—';
}
