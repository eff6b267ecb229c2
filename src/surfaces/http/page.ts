/** The page's styles, served as page.css (the CSP allows no inline style). */
export const pageCss = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #212529; background: #f8f9fa; }
header { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: center; padding: 10px 20px; background: #212529; color: #fff; }
header h1 { font-size: 16px; margin: 0 auto 0 0; }
main { padding: 12px 20px; max-width: 1800px; }
h2 { font-size: 15px; margin: 18px 0 6px; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #dee2e6; vertical-align: top; white-space: nowrap; }
th { font-weight: 600; color: #495057; background: #f1f3f5; font-size: 13px; }
td.reason { white-space: normal; min-width: 240px; font-size: 12px; color: #495057; }
.num { text-align: right; }
.muted { color: #868e96; }
.badge { padding: 2px 8px; border-radius: 10px; font-size: 12px; background: #495057; }
.badge.leader, .badge.ok { background: #2b8a3e; } .badge.standby, .badge.read-only { background: #1864ab; } .badge.bad { background: #c92a2a; }
#cost { font-size: 13px; }
.ranges button { background: #343a40; color: #fff; border: 1px solid #495057; padding: 2px 10px; cursor: pointer; font: inherit; font-size: 12px; }
.ranges button[aria-pressed="true"] { background: #f8f9fa; color: #212529; }
.pool { background: #fff; border: 1px solid #dee2e6; padding: 8px 12px 12px; margin-bottom: 12px; }
.pool h2 { margin: 4px 0; }
.facts { margin: 0; color: #495057; font-size: 13px; }
.decision { margin: 6px 0 8px; padding: 6px 10px; background: #f1f3f5; border-left: 3px solid #1c7ed6; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 12px; }
figure { margin: 0; min-width: 0; } figcaption { font-weight: 600; font-size: 13px; }
.legend { display: flex; flex-wrap: wrap; gap: 2px 12px; font-size: 12px; color: #495057; }
.swatch { display: inline-block; width: 14px; height: 4px; margin-right: 4px; vertical-align: middle; border-radius: 2px; }
.swatch.dashed { height: 0; border-top-width: 2px; border-top-style: dashed; background: none; }
svg { width: 100%; height: auto; display: block; }
svg .tick { font-size: 10px; fill: #868e96; } svg .grid { stroke: #f1f3f5; } svg .axis { stroke: #adb5bd; }
svg .line { stroke-width: 2; fill: none; } svg .band { stroke: none; opacity: .85; }
svg .level { stroke-width: 1.5; stroke-dasharray: 6 4; } svg .level-label { font-size: 10px; }
svg .mark line { stroke-width: 1; stroke-dasharray: 2 2; } svg .mark.up line { stroke: #2b8a3e; } svg .mark.down line { stroke: #e67700; }
svg .mark.up path { fill: #2b8a3e; } svg .mark.down path { fill: #e67700; } svg .mark:hover line, svg .mark:focus line { stroke-width: 2; }
.s-wait-max { stroke: #d9480f; background: #d9480f; } .s-wait-mean { stroke: #ffa94d; background: #ffa94d; }
.s-target { stroke: #c92a2a; fill: #c92a2a; border-color: #c92a2a; }
.s-desired { stroke: #212529; background: #212529; } .s-min, .s-max { stroke: #7950f2; fill: #7950f2; border-color: #7950f2; }
.s-backlog { stroke: #d9480f; background: #d9480f; } .s-throughput { stroke: #2b8a3e; background: #2b8a3e; }
.s-ready { fill: #69db7c; background: #69db7c; } .s-booting, .s-creating, .s-requested { fill: #ffd43b; background: #ffd43b; }
.s-draining, .s-deleting { fill: #74c0fc; background: #74c0fc; } .s-hanging, .s-failed { fill: #ff8787; background: #ff8787; }
.state { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 12px; background: #e9ecef; }
.state.ready { background: #d3f9d8; } .state.booting, .state.creating, .state.requested { background: #fff3bf; }
.state.draining, .state.deleting { background: #e7f5ff; } .state.failed, .state.hanging { background: #ffe3e3; }
#error { color: #c92a2a; margin: 0; }
.sign-in form { max-width: 360px; margin: 80px auto; background: #fff; padding: 20px; border: 1px solid #dee2e6; }
.sign-in h1 { font-size: 16px; } .sign-in input { display: block; width: 100%; margin: 6px 0 12px; }
@media (max-width: 600px) { main { padding: 8px; } header { padding: 8px; } .charts { grid-template-columns: 1fr; } }
`;

/** Three rising bars: without an icon of its own the browser asks for /favicon.ico, outside a mounted page's path. */
export const pageIcon =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path fill="#2b8a3e" d="M1 10h4v5H1zM6 6h4v9H6zM11 1h4v14h-4z"/></svg>';

/** The status page: no CDN, no build, no inline script or style; page.js polls GET status. */
export function statusPageHtml(cluster: string): string {
  const name = escapeHtml(cluster);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>bullmq-autoscaler — ${name}</title><link rel="stylesheet" href="page.css"><link rel="icon" href="icon.svg"></head>
<body>
<header><h1>bullmq-autoscaler · <span id="cluster">${name}</span></h1>
<span id="role" class="badge">…</span><span id="redis" class="badge">…</span><span id="cost"></span>
<span class="ranges" role="group" aria-label="Time range"><button type="button" data-range="15m">15 min</button><button type="button" data-range="1h">1 h</button><button type="button" data-range="24h">24 h</button></span>
<span id="updated" class="muted"></span></header>
<main>
<p id="error"></p>
<div id="pools"></div>
<h2>Queues</h2>
<div class="table"><table><thead><tr><th>Queue</th><th>Pool</th><th class="num">Waiting</th><th class="num">Prioritized</th><th class="num">Delayed due / upcoming</th><th class="num">Active</th><th class="num">Done / min</th><th class="num">Failed (1 h)</th><th class="num">Oldest wait</th><th class="num">Runtime</th></tr></thead>
<tbody id="queues"></tbody></table></div>
<h2>Events</h2>
<div class="table"><table><thead><tr><th>Time</th><th>Pool</th><th>Server</th><th>What</th><th>Reason</th></tr></thead>
<tbody id="events"></tbody></table></div>
<h2>Servers</h2>
<div class="table"><table><thead><tr><th>Id</th><th>Pool</th><th>State</th><th>Type</th><th>Region</th><th>Image</th><th class="num">Age</th><th class="num">Last heartbeat</th><th class="num">Active jobs</th><th>Reason</th></tr></thead>
<tbody id="servers"></tbody></table></div>
</main>
<script src="page.js"></script>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
