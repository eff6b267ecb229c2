import { chartScript } from './chart-script.ts';

/**
 * The status page's browser code (served as page.js, so the CSP needs no inline script). Plain
 * ES2020 without a build step; it only reads GET status. Tables are built with text nodes, never
 * from HTML strings, so queue and server names cannot inject markup.
 */
const tablesScript = `
const byId = (id) => document.getElementById(id);
const rangeMs = { '15m': 900e3, '1h': 3600e3, '24h': 86400e3 };
let range = /^#range=(15m|1h|24h)$/.test(location.hash) ? location.hash.slice(7) : '1h';

/** One unit style everywhere: seconds under two minutes, then minutes, then hours. */
function dur(ms) {
  if (ms == null) return '–';
  if (ms < 120e3) return (ms / 1000).toFixed(ms < 10e3 ? 1 : 0) + ' s';
  if (ms < 7200e3) return Math.round(ms / 60e3) + ' min';
  return (ms / 3600e3).toFixed(1) + ' h';
}
const usd = (v) => v == null ? '–' : '$' + v.toFixed(v < 10 ? 3 : 2);
const num = (v) => v == null ? '–' : String(Math.round(v * 10) / 10);
const clockShort = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const clock = (ms) => new Date(ms).toLocaleTimeString();

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}
function row(cells, attrs) {
  const tr = document.createElement('tr');
  for (const [k, v] of Object.entries(attrs || {})) tr.setAttribute(k, v);
  tr.append(...cells);
  return tr;
}
function fill(id, rows, empty, columns) {
  byId(id).replaceChildren(...(rows.length ? rows : [row([Object.assign(cell(empty, 'muted'), { colSpan: columns })])]));
}
function stateTag(state) {
  const span = document.createElement('span');
  span.className = 'state ' + state;
  span.textContent = state;
  return span;
}

/** The feed's newest lines on the page; GET status carries more. */
const shownEvents = 15;

const stackOrder = ['ready', 'booting', 'creating', 'requested', 'draining', 'deleting', 'hanging', 'failed'];

/** The wait, servers and jobs charts of one pool from its history intervals. */
function poolCharts(p, start, end) {
  const h = p.history;
  const span = (b) => [b.atMs, Math.min(b.atMs + b.spanMs, end)];
  const series = (f) => h.map((b) => [...span(b), f(b)]);
  const waitUnit = Math.max(p.targetWaitMs, ...h.map((b) => b.oldestWaitMaxMs)) >= 120e3 ? 60e3 : 1e3;
  const waitLabel = waitUnit === 1e3 ? ' s' : ' min';
  const wait = drawChart({
    name: 'wait-' + p.pool, title: 'Oldest wait', start, end, integer: false,
    format: (v) => num(v) + waitLabel,
    bands: [],
    lines: [
      { key: 'wait-max', label: 'max in interval', intervals: series((b) => b.oldestWaitMaxMs / waitUnit) },
      { key: 'wait-mean', label: 'mean', intervals: series((b) => b.oldestWaitMeanMs / waitUnit) },
    ],
    levels: [{ key: 'target', label: 'target ' + dur(p.targetWaitMs), value: p.targetWaitMs / waitUnit }],
    marks: p.marks,
  });
  const states = stackOrder.filter((s) => h.some((b) => b.servers[s]));
  const bands = states.map((state, i) => ({
    key: state, label: state,
    intervals: h.map((b) => {
      const below = states.slice(0, i).reduce((sum, s) => sum + (b.servers[s] || 0), 0);
      return [...span(b), below + (b.servers[state] || 0), below];
    }),
  }));
  const top = Math.max(p.minServers, ...h.map((b) => b.desiredMax), ...bands.flatMap((b) => b.intervals.map((i) => i[2])));
  const servers = drawChart({
    name: 'servers-' + p.pool, title: 'Servers by state', start, end, integer: true, format: (v) => String(v),
    bands,
    lines: [{ key: 'desired', label: 'desired', intervals: series((b) => b.desired) }],
    levels: [
      { key: 'min', label: 'min ' + p.minServers, value: p.minServers, offScale: p.minServers === 0 },
      { key: 'max', label: 'max ' + p.maxServers, value: p.maxServers, offScale: p.maxServers > 2 * Math.max(1, top) },
    ],
    marks: p.marks,
  });
  const jobs = drawChart({
    name: 'jobs-' + p.pool, title: 'Jobs', start, end, integer: true, format: (v) => String(v),
    bands: [],
    lines: [
      { key: 'backlog', label: 'backlog (max)', intervals: series((b) => b.backlogMax) },
      { key: 'throughput', label: 'completed / min', intervals: series((b) => b.completedPerMin) },
    ],
    levels: [],
    marks: p.marks,
  });
  return [wait, servers, jobs];
}

function poolSection(p, s) {
  const section = document.createElement('section');
  section.className = 'pool';
  section.dataset.pool = p.pool;
  const head = document.createElement('h2');
  head.textContent = p.pool;
  const facts = document.createElement('p');
  facts.className = 'facts';
  facts.textContent = (p.current ?? '–') + ' → ' + (p.desired ?? '–') + ' servers (min ' + p.minServers + ', max ' + p.maxServers + ') · backlog '
    + num(p.backlog) + ' · oldest wait ' + dur(p.oldestWaitMs) + ' (target ' + dur(p.targetWaitMs) + ')'
    + (p.pin ? ' · pinned to ' + p.pin.servers + (p.pin.untilMs ? ' until ' + clock(p.pin.untilMs) : '') : '')
    + (p.schedule ? ' · schedule ' + p.schedule.label + ': at least ' + p.schedule.minServers + ' until ' + clock(p.schedule.untilMs) : '');
  const decision = document.createElement('p');
  decision.className = 'decision';
  decision.dataset.decision = p.pool;
  decision.textContent = p.decision ?? 'No recent decision: no scaler is leading this cluster right now.';
  const charts = document.createElement('div');
  charts.className = 'charts';
  charts.append(...poolCharts(p, s.atMs - rangeMs[s.range], s.atMs));
  section.append(head, facts, decision, charts);
  return section;
}

function queueRow(pool, q) {
  return row([
    cell(q.queue + (q.paused ? ' (paused)' : '')), cell(pool, 'muted'), cell(String(q.waiting), 'num'), cell(String(q.prioritized), 'num'),
    cell(q.dueDelayed + ' / ' + q.upcomingDelayed, 'num'), cell(String(q.active), 'num'), cell(String(q.completedPerMin), 'num'),
    cell(String(q.failedLastHour), 'num'), cell(dur(q.oldestWaitMs), 'num'), cell(dur(q.runtimeMs), 'num'),
  ], { 'data-queue': q.queue });
}

function serverRow(r, now) {
  const state = cell('');
  state.append(stateTag(r.state));
  return row([
    cell(r.id), cell(r.pool), state, cell(r.type ?? '–'), cell(r.region ?? '–'), cell(r.image ?? '–'),
    cell(dur(now - r.createdAtMs), 'num'), cell(r.lastHeartbeatAtMs == null ? '–' : dur(Math.max(0, now - r.lastHeartbeatAtMs)) + ' ago', 'num'),
    cell(r.activeJobs == null ? '–' : String(r.activeJobs), 'num'), cell(r.reason, 'reason'),
  ], { 'data-server': r.id });
}

function eventRow(e) {
  return row([cell(clock(e.atMs)), cell(e.pool ?? '–'), cell(e.server ?? '–'), cell(e.what), cell(e.reason, 'reason')], { 'data-event': e.what });
}

function render(s) {
  byId('cluster').textContent = s.cluster;
  byId('role').textContent = s.health.role + (s.health.role !== 'leader' && s.health.leader ? ' · leader ' + s.health.leader : '');
  byId('role').className = 'badge ' + s.health.role;
  byId('redis').textContent = s.health.redisOk ? 'Redis ok' : 'Redis unreachable';
  byId('redis').className = 'badge ' + (s.health.redisOk ? 'ok' : 'bad');
  byId('cost').textContent = usd(s.cost.perHourUsd) + ' / h · today ' + usd(s.cost.todayUsd);
  byId('updated').textContent = 'updated ' + clock(s.atMs);
  byId('pools').replaceChildren(...s.pools.map((p) => poolSection(p, s)));
  fill('queues', s.pools.flatMap((p) => p.queues.map((q) => queueRow(p.pool, q))), 'no queues', 10);
  fill('events', s.events.slice(0, shownEvents).map(eventRow), 'no events yet', 5);
  fill('servers', s.servers.map((r) => serverRow(r, s.atMs)), 'no servers', 10);
  for (const b of document.querySelectorAll('[data-range]')) b.setAttribute('aria-pressed', String(b.dataset.range === range));
  document.body.dataset.loaded = 'true';
  document.body.dataset.range = s.range;
}

async function refresh() {
  try {
    const response = await fetch('status?range=' + range, { cache: 'no-store' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    render(await response.json());
    byId('error').textContent = '';
  } catch (error) {
    byId('error').textContent = 'cannot read the status: ' + error.message;
  }
}

for (const b of document.querySelectorAll('[data-range]')) {
  b.addEventListener('click', () => {
    range = b.dataset.range;
    history.replaceState(null, '', '#range=' + range);
    refresh();
  });
}
// A day's chart moves one 5-minute interval at a time: no need to fetch it every 5 s.
async function loop() {
  await refresh();
  setTimeout(loop, range === '24h' ? 30000 : 5000);
}
loop();
`;

export const pageScript = `'use strict';\n${chartScript}\n${tablesScript}`;
