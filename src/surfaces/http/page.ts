import { pageScript } from './page-script.ts';

const css = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #212529; background: #f8f9fa; }
header { display: flex; gap: 12px; align-items: center; padding: 12px 20px; background: #212529; color: #fff; }
header h1 { font-size: 16px; margin: 0 auto 0 0; }
main { padding: 16px 20px; }
h2 { font-size: 15px; margin: 20px 0 8px; }
h3 { font-size: 14px; margin: 0 0 4px; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #dee2e6; vertical-align: top; }
th { font-weight: 600; color: #495057; background: #f1f3f5; }
.num { text-align: right; white-space: nowrap; }
.muted { color: #868e96; font-size: 12px; }
.reason { font-size: 12px; color: #495057; max-width: 520px; }
.badge { padding: 2px 8px; border-radius: 10px; font-size: 12px; background: #495057; }
.badge.leader, .badge.ok { background: #2b8a3e; } .badge.standby { background: #1864ab; } .badge.bad { background: #c92a2a; }
.state { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 12px; background: #e9ecef; }
.state.ready { background: #d3f9d8; } .state.booting, .state.creating, .state.requested { background: #fff3bf; }
.state.draining, .state.deleting { background: #e7f5ff; } .state.failed, .state.hanging { background: #ffe3e3; }
.pin { display: block; color: #e67700; font-weight: 600; }
#charts { display: flex; flex-wrap: wrap; gap: 16px; }
.charts { background: #fff; padding: 10px; border: 1px solid #dee2e6; }
figure { margin: 0; display: inline-block; } figcaption { font-size: 12px; color: #495057; }
svg { width: 460px; height: 150px; } svg text { font-size: 10px; fill: #868e96; } .axis { stroke: #ced4da; }
#error { color: #c92a2a; }
`;

/** The status page: one self-contained document (no CDN, no build) that polls /status. */
export function statusPageHtml(cluster: string): string {
  const title = `bullmq-autoscaler — ${escapeHtml(cluster)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${css}</style></head>
<body>
<header><h1>bullmq-autoscaler · <span id="cluster">${escapeHtml(cluster)}</span></h1>
<span id="role" class="badge">…</span><span id="redis" class="badge">…</span><span id="updated" class="muted"></span></header>
<main>
<p id="error"></p>
<h2>Pools</h2>
<table><thead><tr><th>Pool</th><th class="num">Backlog</th><th class="num">Oldest wait</th><th class="num">Servers → desired</th><th>By state</th><th>Last decision</th></tr></thead>
<tbody id="pools"></tbody></table>
<h2>Last hour</h2>
<div id="charts"></div>
<h2>Servers</h2>
<table><thead><tr><th>Id</th><th>Pool</th><th>State</th><th>Provider id</th><th class="num">Age</th><th>Reason</th></tr></thead>
<tbody id="servers"></tbody></table>
</main>
<script>${pageScript}</script>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
