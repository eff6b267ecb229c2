/**
 * The status page's charts: hand-drawn SVG, about 150 lines. A library (uPlot is ~50 KB) would
 * still need our own code for the scale markers with reasons, the target/min/max lines and stacking
 * by state, and would bring its own styles that the CSP (style-src 'self') must allow; this keeps
 * page.js small and readable, and the tests can find every mark by a data attribute.
 *
 * Plain ES2020 run in the browser; it is concatenated with page-script.ts into page.js. Colours come
 * from CSS classes (s-<series>), never style attributes, which the CSP would block.
 */
export const chartScript = `
const svgNs = 'http://www.w3.org/2000/svg';
const box = { w: 420, h: 180, left: 44, right: 8, top: 12, bottom: 22 };

function niceStep(span, count) {
  const raw = span / Math.max(1, count);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/** Y ticks from 0 to a nice maximum; integer steps when the values are counts. */
function yTicks(max, integer) {
  const step = integer ? Math.max(1, Math.ceil(niceStep(max, 4))) : niceStep(max, 4);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(v);
  return { top, ticks };
}

const timeSteps = [60e3, 120e3, 300e3, 600e3, 900e3, 1800e3, 3600e3, 7200e3, 10800e3, 21600e3];
function xTicks(start, end, count) {
  const step = timeSteps.find((s) => (end - start) / s <= count) || timeSteps[timeSteps.length - 1];
  const offset = new Date().getTimezoneOffset() * 60e3;
  const ticks = [];
  for (let t = Math.ceil((start - offset) / step) * step + offset; t <= end; t += step) ticks.push(t);
  return ticks;
}

function el(name, attrs, text) {
  const node = document.createElementNS(svgNs, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Step path through [t0, t1, v] intervals, broken where the history has a gap (scaler down). */
function stepPath(intervals, x, y, base) {
  let d = '';
  let lastEnd;
  for (const [t0, t1, v, b] of intervals) {
    const y0 = y(base ? b : 0);
    if (lastEnd === undefined || t0 - lastEnd > 1000) d += (d ? ' ' : '') + 'M' + x(t0).toFixed(1) + ',' + y(v).toFixed(1);
    else d += ' L' + x(t0).toFixed(1) + ',' + y(v).toFixed(1);
    d += ' L' + x(t1).toFixed(1) + ',' + y(v).toFixed(1);
    lastEnd = t1;
  }
  return d;
}

/** Filled band between a lower and an upper step line, for one state of the stacked servers. */
function bandPath(intervals, x, y) {
  return intervals.map(([t0, t1, v, b]) => 'M' + x(t0).toFixed(1) + ',' + y(b).toFixed(1) + ' L' + x(t0).toFixed(1) + ',' + y(v).toFixed(1)
    + ' L' + x(t1).toFixed(1) + ',' + y(v).toFixed(1) + ' L' + x(t1).toFixed(1) + ',' + y(b).toFixed(1) + ' Z').join(' ');
}

/**
 * spec: { name, title, start, end, integer, format, lines: [{ key, label, intervals }],
 * bands: [{ key, label, intervals }] (stacked, [t0, t1, top, bottom]), levels: [{ key, label, value }],
 * marks: [{ atMs, from, to, words }] }
 */
function drawChart(spec) {
  const values = [
    ...spec.lines.flatMap((l) => l.intervals.map((i) => i[2])),
    ...spec.bands.flatMap((b) => b.intervals.map((i) => i[2])),
    ...spec.levels.filter((l) => !l.offScale).map((l) => l.value),
  ];
  const { top, ticks } = yTicks(Math.max(spec.integer ? 1 : 0.001, ...values), spec.integer);
  const x = (t) => box.left + ((t - spec.start) / (spec.end - spec.start)) * (box.w - box.left - box.right);
  const y = (v) => box.top + (1 - v / top) * (box.h - box.top - box.bottom);
  const svg = el('svg', { viewBox: '0 0 ' + box.w + ' ' + box.h, role: 'img', 'aria-label': spec.title, 'data-chart': spec.name });
  for (const v of ticks) {
    svg.append(el('line', { x1: box.left, x2: box.w - box.right, y1: y(v), y2: y(v), class: v === 0 ? 'axis' : 'grid' }));
    svg.append(el('text', { x: box.left - 6, y: y(v) + 3, 'text-anchor': 'end', class: 'tick', 'data-y-tick': v }, spec.format(v)));
  }
  for (const t of xTicks(spec.start, spec.end, 5)) {
    svg.append(el('line', { x1: x(t), x2: x(t), y1: box.top, y2: box.h - box.bottom, class: 'grid' }));
    svg.append(el('text', { x: x(t), y: box.h - 8, 'text-anchor': 'middle', class: 'tick', 'data-x-tick': t }, clockShort(t)));
  }
  for (const b of spec.bands) svg.append(el('path', { d: bandPath(b.intervals, x, y), class: 'band s-' + b.key, 'data-series': b.key }));
  for (const l of spec.lines) svg.append(el('path', { d: stepPath(l.intervals, x, y), class: 'line s-' + l.key, 'data-series': l.key, fill: 'none' }));
  for (const l of spec.levels) {
    if (l.offScale) continue;
    svg.append(el('line', { x1: box.left, x2: box.w - box.right, y1: y(l.value), y2: y(l.value), class: 'level s-' + l.key, 'data-line': l.key }));
    svg.append(el('text', { x: box.w - box.right - 2, y: y(l.value) - 3, 'text-anchor': 'end', class: 'level-label s-' + l.key }, l.label));
  }
  for (const m of spec.marks) {
    if (m.atMs < spec.start) continue;
    const up = m.to > m.from;
    const g = el('g', { class: 'mark ' + (up ? 'up' : 'down'), 'data-mark': up ? 'up' : 'down', tabindex: 0 });
    const mx = x(m.atMs);
    g.append(el('title', {}, clockShort(m.atMs) + ' · ' + m.from + ' → ' + m.to + ' servers: ' + m.words));
    g.append(el('line', { x1: mx, x2: mx, y1: box.top, y2: box.h - box.bottom }));
    g.append(el('path', { d: up ? 'M' + (mx - 5) + ',' + (box.top + 7) + ' L' + mx + ',' + (box.top - 1) + ' L' + (mx + 5) + ',' + (box.top + 7) + ' Z'
      : 'M' + (mx - 5) + ',' + (box.top - 1) + ' L' + mx + ',' + (box.top + 7) + ' L' + (mx + 5) + ',' + (box.top - 1) + ' Z' }));
    svg.append(g);
  }
  const figure = document.createElement('figure');
  const caption = document.createElement('figcaption');
  caption.textContent = spec.title;
  const legend = document.createElement('div');
  legend.className = 'legend';
  for (const s of [...spec.bands, ...spec.lines, ...spec.levels]) {
    const item = document.createElement('span');
    const swatch = document.createElement('i');
    swatch.className = 'swatch s-' + s.key + (s.value !== undefined ? ' dashed' : '');
    item.append(swatch, document.createTextNode(s.label));
    legend.append(item);
  }
  figure.append(caption, legend, svg);
  return figure;
}
`;
