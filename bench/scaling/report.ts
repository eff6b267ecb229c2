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

/**
 * A peer beats ours when it has a higher within-target share at no more server time, or less server
 * time at no lower share; shares within `shareTolerance` count as equal.
 */
export function dominates(peer: Row, mine: Row, spend: Spend = 'serverSeconds'): boolean {
  const share = mine.figures.withinTarget;
  const theirs = peer.figures.withinTarget;
  const cheaperOrSame = peer.figures[spend] <= mine.figures[spend];
  if (theirs > share + shareTolerance) return cheaperOrSame;
  if (theirs >= share - shareTolerance) return peer.figures[spend] < mine.figures[spend];
  return false;
}

/** What a fleet spends: server time (the issue's figure) or the bill in dollars (minimum charges included). */
type Spend = 'serverSeconds' | 'cost';

/** The issue's goals, checked against this run's figures; every miss is listed, never hidden. */
export function goals(rows: Row[], generators: string[]): string[] {
  const lines: string[] = [];
  const mineOf = (g: string) => rows.find((r) => r.generator === g && r.policy === ours);
  for (const g of generators) {
    const mine = mineOf(g);
    if (mine === undefined) continue;
    for (const other of rows.filter((r) => r.generator === g && r.policy !== ours)) {
      if (dominates(other, mine)) lines.push(`- ✘ ${g}: ${other.policy} beats ours — ${versus(other, mine)}`);
    }
  }
  for (const g of ['steady', 'diurnal', 'sawtooth', 'scheduled-delayed']) {
    const mine = mineOf(g);
    if (mine === undefined) continue;
    const ok = mine.figures.withinTarget >= 0.99;
    lines.push(
      `- ${mark(ok)} ${g}: ≥ 99 % within the wait target with 60 s boots — ${pct(mine.figures.withinTarget)}`,
    );
  }
  for (const [g, limit] of [
    ['steady', 1.3],
    ['diurnal', 1.3],
    ['long-jobs', 1.6],
  ] as const) {
    const mine = mineOf(g);
    if (mine === undefined) continue;
    const ratio = mine.figures.serverSeconds / mine.workBoundSeconds;
    lines.push(
      `- ${mark(ratio <= limit)} ${g}: server time ≤ ${limit} × the work bound — ${ratio.toFixed(3)} ×`,
    );
  }
  const bursts = mineOf('recurring-bursts');
  const fixed = rows.find((r) => r.generator === 'recurring-bursts' && r.policy === 'static (peak)');
  if (bursts && fixed) {
    const ok =
      bursts.figures.withinTarget >= 0.95 && bursts.figures.serverSeconds <= fixed.figures.serverSeconds;
    lines.push(
      `- ${mark(ok)} recurring-bursts: ≥ 95 % within target at ≤ the static fleet's server time — ` +
        `${pct(bursts.figures.withinTarget)} at ${hours(bursts)} server-h (static ${hours(fixed)})`,
    );
  }
  lines.push(billLine(rows, generators));
  return lines;
}

/**
 * The same dominance test on the bill instead of server time. Not one of the issue's goals, but what
 * an operator pays: with DigitalOcean's $0.01 minimum per droplet, every create costs 33.6 minutes of
 * a $12 droplet, so a policy that churns is dearer than its server time says.
 */
function billLine(rows: Row[], generators: string[]): string {
  const beaten = generators.flatMap((g) => {
    const mine = rows.find((r) => r.generator === g && r.policy === ours);
    if (mine === undefined) return [];
    const by = rows.filter((r) => r.generator === g && r.policy !== ours && dominates(r, mine, 'cost'));
    return by.length === 0 ? [] : [`${g} (${by.map((r) => r.policy).join(', ')})`];
  });
  return (
    `- ${mark(beaten.length === 0)} on the bill in dollars (minimum charges included; not one of the ` +
    `issue's goals): a peer has a higher share for no more money, or costs less at the same share, on ` +
    `${beaten.length} of ${generators.length} traces${beaten.length === 0 ? '' : `: ${beaten.join('; ')}`}`
  );
}

const hours = (row: Row) => (row.figures.serverSeconds / 3600).toFixed(1);

function versus(other: Row, mine: Row): string {
  return `${pct(other.figures.withinTarget)} at ${hours(other)} server-h against ${pct(mine.figures.withinTarget)} at ${hours(mine)}`;
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
