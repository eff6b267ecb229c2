/**
 * The status page's browser code, shipped inline so the page works air-gapped and behind any
 * proxy path. Plain ES2020 without a build step; it only reads GET status.
 */
export const pageScript = `
const hourMs = 3600000;
const byId = (id) => document.getElementById(id);
const esc = (v) => String(v).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const dur = (ms) => ms == null ? '–' : ms < 1000 ? ms + ' ms' : ms < 120000 ? (ms / 1000).toFixed(1) + ' s' : Math.round(ms / 60000) + ' min';
const clock = (ms) => new Date(ms).toLocaleTimeString();

function states(counts) {
  const parts = Object.entries(counts).map(([state, n]) => '<span class="state ' + esc(state) + '">' + esc(state) + ' ' + n + '</span>');
  return parts.length ? parts.join(' ') : '<span class="muted">none</span>';
}

function poolRow(p) {
  const pin = p.pin ? '<span class="pin">pinned to ' + p.pin.servers + (p.pin.untilMs ? ' until ' + clock(p.pin.untilMs) : '') + '</span>' : '';
  const schedule = p.schedule ? '<span class="pin">schedule ' + esc(p.schedule.label) + ': at least ' + p.schedule.minServers + ' until ' + clock(p.schedule.untilMs) + '</span> ' : '';
  return '<tr data-pool="' + esc(p.pool) + '"><td><b>' + esc(p.pool) + '</b><div class="muted">' + esc(p.queues.join(', ')) + '</div></td>'
    + '<td class="num">' + (p.backlog ?? '–') + '</td><td class="num">' + dur(p.oldestWaitMs) + '</td>'
    + '<td class="num">' + (p.current ?? '–') + ' → ' + (p.desired ?? '–') + '<div class="muted">' + p.minServers + '–' + p.maxServers + '</div></td>'
    + '<td>' + states(p.servers) + '</td><td class="reason">' + pin + esc(p.reason ?? 'no decision yet') + '</td></tr>';
}

function serverRow(s, now) {
  return '<tr data-server="' + esc(s.id) + '"><td>' + esc(s.id) + '</td><td>' + esc(s.pool) + '</td>'
    + '<td><span class="state ' + esc(s.state) + '">' + esc(s.state) + '</span></td><td>' + esc(s.providerId ?? '–') + '</td>'
    + '<td class="num">' + dur(now - s.createdAtMs) + '</td><td class="reason">' + esc(s.reason) + '</td></tr>';
}

function chart(name, title, series, now, format) {
  const w = 460, h = 150, left = 44, bottom = 20, top = 8;
  const values = series.flatMap((s) => s.points.map((p) => p[1]));
  const max = Math.max(1, ...values);
  // A young scaler's few minutes fill the chart; after an hour it is a sliding hour.
  const first = Math.min(now, ...series.flatMap((s) => s.points.map((p) => p[0])));
  const start = Math.max(now - hourMs, first);
  const span = Math.max(1000, now - start);
  const x = (t) => left + ((t - start) / span) * (w - left - 4);
  const y = (v) => top + (1 - v / max) * (h - top - bottom);
  const lines = series.map((s) => '<polyline fill="none" stroke="' + s.color + '" stroke-width="2"' + (s.dashed ? ' stroke-dasharray="5 4"' : '') + ' points="'
    + s.points.map((p) => x(p[0]).toFixed(1) + ',' + y(p[1]).toFixed(1)).join(' ') + '"><title>' + esc(s.label) + '</title></polyline>').join('');
  const legend = series.map((s, i) => '<text x="' + (left + 8 + i * 110) + '" y="' + (top + 10) + '" fill="' + s.color + '">' + esc(s.label) + '</text>').join('');
  return '<figure><figcaption>' + esc(title) + '</figcaption><svg data-chart="' + esc(name) + '" viewBox="0 0 ' + w + ' ' + h + '" role="img" aria-label="' + esc(title) + '">'
    + '<line x1="' + left + '" y1="' + y(0) + '" x2="' + (w - 4) + '" y2="' + y(0) + '" class="axis"/>'
    + '<text x="' + (left - 4) + '" y="' + (y(max) + 4) + '" text-anchor="end">' + esc(format(max)) + '</text>'
    + '<text x="' + (left - 4) + '" y="' + y(0) + '" text-anchor="end">0</text>'
    + '<text x="' + left + '" y="' + (h - 4) + '">−' + dur(span) + '</text><text x="' + (w - 4) + '" y="' + (h - 4) + '" text-anchor="end">now</text>'
    + lines + legend + '</svg></figure>';
}

function charts(pool, history, now) {
  const series = (key, scale) => history.filter((p) => p.pools[pool]).map((p) => [p.atMs, p.pools[pool][key] / scale]);
  return '<section class="charts" data-pool-charts="' + esc(pool) + '"><h3>' + esc(pool) + '</h3>'
    + chart('wait-' + pool, 'Oldest wait (s)', [{ label: 'oldest wait', color: '#d9480f', points: series('oldestWaitMs', 1000) }], now, (v) => v.toFixed(1) + ' s')
    + chart('servers-' + pool, 'Servers', [
      { label: 'servers', color: '#1c7ed6', points: series('servers', 1) },
      { label: 'desired', color: '#868e96', dashed: true, points: series('desired', 1) },
    ], now, (v) => String(Math.round(v)))
    + '</section>';
}

function render(s) {
  byId('cluster').textContent = s.cluster;
  byId('role').textContent = s.health.role;
  byId('role').className = 'badge ' + s.health.role;
  byId('redis').textContent = s.health.redisOk ? 'Redis ok' : 'Redis unreachable';
  byId('redis').className = 'badge ' + (s.health.redisOk ? 'ok' : 'bad');
  byId('updated').textContent = 'updated ' + clock(s.atMs);
  byId('pools').innerHTML = s.pools.map(poolRow).join('');
  byId('servers').innerHTML = s.servers.length ? s.servers.map((x) => serverRow(x, s.atMs)).join('') : '<tr><td colspan="6" class="muted">no servers</td></tr>';
  byId('charts').innerHTML = s.pools.map((p) => charts(p.pool, s.history, s.atMs)).join('');
  document.body.dataset.loaded = 'true';
}

async function refresh() {
  try {
    const response = await fetch('status', { cache: 'no-store' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    render(await response.json());
    byId('error').textContent = '';
  } catch (error) {
    byId('error').textContent = 'cannot reach the scaler: ' + error.message;
  }
}

refresh();
setInterval(refresh, 5000);
`;
