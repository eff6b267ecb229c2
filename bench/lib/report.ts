import os from 'node:os';

/** One checked goal: the doc prints ✔ or ✘ with the measured figure, and why when it is missed. */
export interface Goal {
  met: boolean;
  text: string;
  whyMissed: string | undefined;
}

/** What a benchmark hands back: its markdown and its goal checks. */
export interface BenchResult {
  title: string;
  /** The figures that go in the summary table: [what, ours, baseline, ratio]. */
  summary: string[][];
  markdown: string[];
  goals: Goal[];
}

export function goal(met: boolean, text: string, whyMissed?: string): Goal {
  return { met, text, whyMissed };
}

export function machine(): string {
  const cpus = os.cpus();
  const gb = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${cpus[0]?.model ?? 'unknown CPU'} (${cpus.length} cores), ${gb} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

export function tableOf(header: string[], rows: string[][]): string[] {
  const align = header.map((_, i) => (i === 0 ? '---' : '--:'));
  return [header, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`);
}

export function goalLines(goals: Goal[]): string[] {
  return goals.map((g) =>
    g.met || g.whyMissed === undefined ? `- ${g.met ? '✔' : '✘'} ${g.text}` : `- ✘ ${g.text}. ${g.whyMissed}`,
  );
}
