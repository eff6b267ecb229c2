import type { TimelinePoint } from './engine.ts';

const width = 900;
const panelHeight = 160;
const margin = { left: 60, right: 20, top: 48, gap: 40 };

interface Series {
  label: string;
  color: string;
  value: (p: TimelinePoint) => number;
  /** Stacked area (servers) instead of a line. */
  area?: boolean;
  dashed?: boolean;
}

interface Panel {
  title: string;
  unit: string;
  series: Series[];
  /** Horizontal reference lines, such as the wait target and the server cap. */
  references: { label: string; value: number }[];
  /** Mark where the desired count steps up (▲) or down (▼). */
  scaleEvents?: boolean;
}

export interface ChartLimits {
  targetWaitMs: number;
  /** The pool's cap (its maxServers within maxServersTotal). */
  maxServers: number;
}

/** Ticks per axis: enough to read a value off, few enough to stay legible at 900 px. */
const yTicks = 4;
const xTicks = 8;

/** A self-contained SVG of one run: backlog, servers (desired, booting, ready) and oldest wait. */
export function timelineSvg(title: string, timeline: TimelinePoint[], limits: ChartLimits): string {
  const panels: Panel[] = [
    {
      title: 'Backlog',
      unit: 'jobs',
      series: [{ label: 'backlog', color: '#8c564b', value: (p) => p.backlog }],
      references: [],
    },
    {
      title: 'Servers',
      unit: 'servers',
      series: [
        { label: 'ready', color: '#2ca02c', value: (p) => p.ready, area: true },
        { label: 'booting', color: '#ff7f0e', value: (p) => p.ready + p.booting, area: true },
        { label: 'desired', color: '#1f77b4', value: (p) => p.desired, dashed: true },
      ],
      references: [{ label: `max ${limits.maxServers}`, value: limits.maxServers }],
      scaleEvents: true,
    },
    {
      title: 'Oldest wait',
      unit: 's',
      series: [{ label: 'oldest wait', color: '#d62728', value: (p) => p.oldestWaitMs / 1000 }],
      references: [{ label: `target ${limits.targetWaitMs / 1000}s`, value: limits.targetWaitMs / 1000 }],
    },
  ];
  const height = margin.top + panels.length * (panelHeight + margin.gap);
  const endMs = Math.max(1, ...timeline.map((p) => p.t));
  const body = panels.map((panel, i) =>
    panelSvg(panel, timeline, endMs, margin.top + i * (panelHeight + margin.gap)),
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${margin.left}" y="16" font-size="13" font-weight="bold">${escapeXml(title)}</text>`,
    ...body,
    '</svg>',
  ].join('\n');
}

function panelSvg(panel: Panel, timeline: TimelinePoint[], endMs: number, top: number): string {
  const plotWidth = width - margin.left - margin.right;
  const values = timeline.flatMap((p) => panel.series.map((s) => s.value(p)));
  const max = niceMax(Math.max(1, ...panel.references.map((r) => r.value), ...values));
  const x = (t: number) => margin.left + (t / endMs) * plotWidth;
  const y = (v: number) => top + panelHeight - (v / max) * panelHeight;
  const parts = [
    `<text x="${margin.left}" y="${top - 6}" font-weight="bold">${panel.title} (${panel.unit})</text>`,
    ...axes(top, max, endMs, x, y),
    `<rect x="${margin.left}" y="${top}" width="${plotWidth}" height="${panelHeight}" fill="none" stroke="#999"/>`,
  ];
  // Areas are drawn largest first so the smaller stack stays visible on top.
  for (const s of [...panel.series].reverse()) {
    const points = timeline.map((p) => `${x(p.t).toFixed(1)},${y(s.value(p)).toFixed(1)}`).join(' ');
    if (s.area) {
      const base = `${x(endMs).toFixed(1)},${y(0)} ${x(0).toFixed(1)},${y(0)}`;
      parts.push(`<polygon points="${points} ${base}" fill="${s.color}" fill-opacity="0.5" stroke="none"/>`);
    } else {
      const dash = s.dashed ? ' stroke-dasharray="4 3"' : '';
      parts.push(`<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="1.5"${dash}/>`);
    }
  }
  for (const reference of panel.references) {
    const ry = y(reference.value).toFixed(1);
    parts.push(
      `<line class="reference" x1="${margin.left}" x2="${width - margin.right}" y1="${ry}" y2="${ry}" stroke="#555" stroke-dasharray="2 4"/>`,
      `<text x="${width - margin.right - 4}" y="${Number(ry) - 4}" text-anchor="end">${escapeXml(reference.label)}</text>`,
    );
  }
  if (panel.scaleEvents) parts.push(...scaleMarks(timeline, x, top));
  panel.series.forEach((s, i) => {
    const lx = margin.left + 200 + i * 110;
    parts.push(`<rect x="${lx}" y="${top - 15}" width="10" height="10" fill="${s.color}"/>`);
    parts.push(`<text x="${lx + 14}" y="${top - 6}">${s.label}</text>`);
  });
  return parts.join('\n');
}

/** Value ticks with light grid lines, and time ticks in minutes under the plot. */
function axes(
  top: number,
  max: number,
  endMs: number,
  x: (t: number) => number,
  y: (v: number) => number,
): string[] {
  const parts: string[] = [];
  for (let i = 0; i <= yTicks; i++) {
    const value = (max / yTicks) * i;
    const ty = y(value).toFixed(1);
    parts.push(
      `<line class="tick" x1="${margin.left - 4}" x2="${width - margin.right}" y1="${ty}" y2="${ty}" stroke="#eee"/>`,
      `<text x="${margin.left - 6}" y="${Number(ty) + 4}" text-anchor="end">${Number(value.toPrecision(3))}</text>`,
    );
  }
  const stepMin = niceMax(endMs / 60_000 / xTicks);
  for (let minute = 0; minute * 60_000 <= endMs; minute += stepMin) {
    const tx = x(minute * 60_000).toFixed(1);
    const bottom = top + panelHeight;
    parts.push(
      `<line class="tick" x1="${tx}" x2="${tx}" y1="${bottom}" y2="${bottom + 4}" stroke="#999"/>`,
      `<text x="${tx}" y="${bottom + 15}" text-anchor="middle">${Number(minute.toPrecision(3))} min</text>`,
    );
  }
  return parts;
}

/** ▲ where the desired count rose, ▼ where it fell, along the top of the servers panel. */
function scaleMarks(timeline: TimelinePoint[], x: (t: number) => number, top: number): string[] {
  const marks: string[] = [];
  timeline.forEach((p, i) => {
    const before = timeline[i - 1];
    if (before === undefined || before.desired === p.desired) return;
    const up = p.desired > before.desired;
    marks.push(
      `<text class="scale-${up ? 'up' : 'down'}" x="${x(p.t).toFixed(1)}" y="${top + 10}" text-anchor="middle" fill="${up ? '#1f77b4' : '#9467bd'}">${up ? '▲' : '▼'}</text>`,
    );
  });
  return marks;
}

/** Rounds an axis maximum up to 1, 2 or 5 × 10ⁿ so the scale reads at a glance. */
function niceMax(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * magnitude >= value) ?? 10;
  return step * magnitude;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
