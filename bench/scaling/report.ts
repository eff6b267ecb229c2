import type { Figures } from '../../src/simulate/metrics.ts';

export interface Row {
  generator: string;
  policy: string;
  figures: Figures;
  workBoundSeconds: number;
}

const ours = 'ours';
/** Shares this close count as equal: a handful of jobs in tens of thousands. */
const shareTolerance = 0.0005;

const pct = (share: number) => `${(share * 100).toFixed(2)} %`;
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function table(rows: Row[]): string[] {
  const lines = [
    '| trace | policy | within target | p50 wait | p95 wait | p99 wait | server-h | × work bound | cost | creates | peak |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of rows) {
    const f = r.figures;
    const bold = r.policy === ours ? '**' : '';
    lines.push(
      `| ${r.generator} | ${bold}${r.policy}${bold} | ${pct(f.withinTarget)} | ${sec(f.p50WaitMs)} | ${sec(f.p95WaitMs)} | ` +
        `${sec(f.p99WaitMs)} | ${(f.serverSeconds / 3600).toFixed(1)} | ${(f.serverSeconds / r.workBoundSeconds).toFixed(2)} | ` +
        `$${f.cost.toFixed(2)} | ${f.creates} | ${f.peakServers} |`,
    );
  }
  return lines;
}

/** The goals, checked against this run's figures; every miss is listed, never hidden. */
export function goals(rows: Row[], generators: string[]): string[] {
  const lines: string[] = [];
  for (const g of generators) {
    const mine = rows.find((r) => r.generator === g && r.policy === ours);
    if (mine === undefined) continue;
    const others = rows.filter((r) => r.generator === g && r.policy !== ours);
    for (const other of others) lines.push(...compare(g, mine, other));
  }
  for (const g of ['steady', 'diurnal', 'sawtooth']) {
    const mine = rows.find((r) => r.generator === g && r.policy === ours);
    if (mine === undefined) continue;
    const ok = mine.figures.withinTarget >= 0.99;
    lines.push(
      `- ${mark(ok)} ${g}: ≥ 99 % within the wait target with 60 s boots — ${pct(mine.figures.withinTarget)}`,
    );
  }
  for (const g of ['steady', 'diurnal']) {
    const mine = rows.find((r) => r.generator === g && r.policy === ours);
    if (mine === undefined) continue;
    const ratio = mine.figures.serverSeconds / mine.workBoundSeconds;
    lines.push(`- ${mark(ratio <= 1.3)} ${g}: server time ≤ 1.3 × the work bound — ${ratio.toFixed(3)} ×`);
  }
  return lines;
}

function compare(generator: string, mine: Row, other: Row): string[] {
  const share = mine.figures.withinTarget;
  const theirs = other.figures.withinTarget;
  if (share + shareTolerance < theirs) {
    return [`- ✘ ${generator}: ${other.policy} reaches ${pct(theirs)} within target, ours ${pct(share)}`];
  }
  if (share - shareTolerance > theirs) return [];
  const hours = (row: Row) => `${(row.figures.serverSeconds / 3600).toFixed(1)} server-h`;
  const cheaper = mine.figures.serverSeconds <= other.figures.serverSeconds;
  const lines = cheaper
    ? []
    : [
        `- ✘ ${generator}: same share as ${other.policy} (${pct(share)}) but ${hours(mine)} against ${hours(other)}`,
      ];
  if (share < theirs) {
    lines.push(
      `- ≈ ${generator}: ${other.policy} ${pct(theirs)}, ours ${pct(share)} — within ${shareTolerance * 100} points, ` +
        `counted as the same share (${hours(mine)} against ${hours(other)})`,
    );
  }
  return lines;
}

function mark(ok: boolean): string {
  return ok ? '✔' : '✘';
}

/** Replaces the text between the markers, or appends the marked section when there is none yet. */
export function spliceSection(document: string, section: string, start: string, end: string): string {
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  const block = `${start}\n${section}\n${end}`;
  if (from === -1 || to === -1 || to < from) return `${document.trimEnd()}\n\n${block}\n`.trimStart();
  return document.slice(0, from) + block + document.slice(to + end.length);
}
