/**
 * The dashboard's HTML and browser script, kept as strings so `tsc` builds ship them without an
 * asset step. No inline script (the CSP allows only same-origin files); the data comes from
 * /dashboard/data.json and the charts from Chart.js served out of node_modules.
 */

const STYLE = `
*{box-sizing:border-box}body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f5f6f8;color:#1d2430}
header{background:#1d2430;color:#fff;padding:12px 20px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
header h1{font-size:18px;margin:0 12px 0 0}header form{display:flex;gap:8px;align-items:center}
select,button,input{font:inherit;padding:4px 8px;border-radius:4px;border:1px solid #ccd}
main{padding:16px 20px;display:grid;gap:16px}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px}
.tile{background:#fff;border-radius:8px;padding:10px 12px;box-shadow:0 1px 2px #0001}
.tile b{display:block;font-size:22px}.tile span{color:#667;font-size:12px}.tile.bad b{color:#b42318}.tile.good b{color:#067647}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:16px}
.card{background:#fff;border-radius:8px;padding:12px;box-shadow:0 1px 2px #0001}.card h2{font-size:14px;margin:0 0 8px}
.card canvas{width:100%!important;height:220px!important}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:right;padding:4px 6px;border-bottom:1px solid #eef}th:first-child,td:first-child{text-align:left}
.muted{color:#667}.err{color:#b42318}
`;

export function dashboardPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>chatdesk · service desk KPIs</title><style>${STYLE}</style></head>
<body>
<header><h1>chatdesk · service desk KPIs</h1>
<form id="filters">
<label>Period <select name="since" id="since"><option value="7d">7 days</option><option value="30d" selected>30 days</option><option value="90d">90 days</option><option value="12m">12 months</option><option value="all">all time</option></select></label>
<label>Group <select name="group" id="group"><option value="">all groups</option></select></label>
</form>
<form method="post" action="/dashboard/logout" style="margin-left:auto"><button type="submit">Log out</button></form>
</header>
<main>
<p id="status" class="muted">Loading…</p>
<section class="tiles" id="tiles"></section>
<section class="charts">
<div class="card"><h2>Ticket volume</h2><canvas id="chart-volume"></canvas></div>
<div class="card"><h2>MTTR (hours, calendar)</h2><canvas id="chart-mttr"></canvas></div>
<div class="card"><h2>SLA compliance (%)</h2><canvas id="chart-sla"></canvas></div>
<div class="card"><h2>Backlog by age (open now)</h2><canvas id="chart-backlog"></canvas></div>
<div class="card"><h2>Deflection (verified, window <span id="window">3</span> days)</h2><canvas id="chart-deflection"></canvas></div>
<div class="card"><h2>Missed targets → improvement register</h2><div id="breaches" class="muted">–</div></div>
</section>
<section class="card"><h2>Improvement register</h2><div id="improvements" class="muted">–</div></section>
<section class="card"><h2>By group</h2><div id="groups"></div></section>
<section class="card"><h2>Knowledge gaps (escalations no article answered)</h2><div id="gaps" class="muted">–</div></section>
</main>
<script src="/dashboard/chart.js"></script>
<script src="/dashboard/app.js"></script>
</body></html>`;
}

export function loginPage(message: string | null, enabled: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>chatdesk · log in</title><style>${STYLE} .login{max-width:360px;margin:80px auto;background:#fff;padding:24px;border-radius:8px;box-shadow:0 1px 3px #0002}.login input{width:100%;margin:8px 0}</style></head>
<body><div class="login"><h1 style="font-size:18px">chatdesk dashboard</h1>
${
  enabled
    ? `<form method="post" action="/dashboard/login"><label for="token">Dashboard token</label><input id="token" name="token" type="password" autocomplete="current-password" required><button type="submit">Log in</button></form>`
    : '<p>The dashboard is disabled: set DASHBOARD_TOKEN (or API_TOKEN) and restart.</p>'
}
${message ? `<p class="err" id="login-error">${escapeHtml(message)}</p>` : ''}
</div></body></html>`;
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** Browser code (ES2017, no build step). */
export const DASHBOARD_SCRIPT = `'use strict';
(function () {
  var charts = {};
  var esc = function (s) { return String(s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; }); };
  var pct = function (r) { var v = r && typeof r === 'object' ? r.value : r; return v === null || v === undefined ? '–' : (v * 100).toFixed(1) + '%'; };
  var dur = function (m) { if (m === null || m === undefined) return '–'; m = Math.round(m); if (m < 60) return m + 'm'; if (m < 1440) return Math.floor(m / 60) + 'h' + String(m % 60).padStart(2, '0') + 'm'; return Math.floor(m / 1440) + 'd' + String(Math.floor((m % 1440) / 60)).padStart(2, '0') + 'h'; };
  var num = function (v, d) { return v === null || v === undefined ? '–' : v.toFixed(d); };
  function draw(id, config) {
    if (charts[id]) charts[id].destroy();
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: config.data.datasets.length > 1 } } }, config.options || {});
    charts[id] = new Chart(document.getElementById(id), config);
  }
  function tile(label, value, cls) { return '<div class="tile ' + (cls || '') + '"><b>' + esc(value) + '</b><span>' + esc(label) + '</span></div>'; }
  function render(data) {
    var r = data.report, o = r.overall, t = r.trend.points;
    document.getElementById('window').textContent = r.deflectionWindowDays;
    var sel = document.getElementById('group');
    if (sel.options.length === 1) r.byGroup.forEach(function (g) { if (g.key !== '(none)') { var op = document.createElement('option'); op.value = g.key; op.textContent = g.key; sel.appendChild(op); } });
    var slaCls = function (x) { return x.value === null ? '' : x.value >= 0.9 ? 'good' : 'bad'; };
    document.getElementById('tiles').innerHTML = [
      tile('tickets in period (incidents + requests)', String(o.tickets)), tile('open now', String(o.open)),
      tile('problems opened / open', r.problems.opened + ' / ' + r.problems.open), tile('changes opened / completed', r.changes.opened + ' / ' + r.changes.resolved),
      tile('resolved by AI', pct(o.aiResolved)),
      tile('MTTA', dur(o.mtta.mean)), tile('MTTR', dur(o.mttr.mean)), tile('MTTR (business)', dur(o.mttrBusiness.mean)),
      tile('SLA response', pct(o.slaResponse), slaCls(o.slaResponse)), tile('SLA resolution', pct(o.slaResolution), slaCls(o.slaResolution)),
      tile('first-contact resolution', pct(o.fcr)), tile('reopen rate', pct(o.reopen)),
      tile('CSAT (AI / human)', num(r.csat.all.mean, 2) + ' (' + num(r.csat.ai.mean, 1) + ' / ' + num(r.csat.human.mean, 1) + ')'),
      tile('verified deflection', r.deflection ? pct(r.deflection.rate) : 'desk only'), tile('bot accuracy', pct(o.botAccuracy))
    ].join('');
    var labels = t.map(function (p) { return p.start; });
    draw('chart-volume', { type: 'bar', data: { labels: labels, datasets: [{ label: 'tickets', data: t.map(function (p) { return p.tickets; }), backgroundColor: '#4f7cff' }] } });
    draw('chart-mttr', { type: 'line', data: { labels: labels, datasets: [{ label: 'MTTR h', data: t.map(function (p) { return p.mttrMinutes === null ? null : p.mttrMinutes / 60; }), borderColor: '#f79009', spanGaps: true }] } });
    draw('chart-sla', { type: 'line', data: { labels: labels, datasets: [
      { label: 'resolution', data: t.map(function (p) { return p.slaResolution === null ? null : p.slaResolution * 100; }), borderColor: '#067647', spanGaps: true },
      { label: 'response', data: t.map(function (p) { return p.slaResponse === null ? null : p.slaResponse * 100; }), borderColor: '#7a5af8', spanGaps: true }] },
      options: { scales: { y: { min: 0, max: 100 } } } });
    draw('chart-backlog', { type: 'bar', data: { labels: r.backlogByAge.map(function (b) { return b.bucket; }), datasets: [{ label: 'open tickets', data: r.backlogByAge.map(function (b) { return b.count; }), backgroundColor: ['#12b76a', '#84cc16', '#fdb022', '#f97066', '#b42318'] }] } });
    var d = r.deflection || { verified: 0, returned: 0, pending: 0 };
    draw('chart-deflection', { type: 'doughnut', data: { labels: ['verified deflections', 'came back', 'pending window', 'tickets opened'], datasets: [{ data: [d.verified, d.returned, d.pending, o.tickets], backgroundColor: ['#12b76a', '#f97066', '#fdb022', '#98a2b3'] }] }, options: { plugins: { legend: { display: true, position: 'right' } } } });
    var rows = r.byGroup.slice(0, 12).map(function (g) { return '<tr><td>' + esc(g.key) + '</td><td>' + g.tickets + '</td><td>' + g.open + '</td><td>' + dur(g.mtta.mean) + '</td><td>' + dur(g.mttr.mean) + '</td><td>' + pct(g.slaResponse) + '</td><td>' + pct(g.slaResolution) + '</td><td>' + pct(g.fcr) + '</td><td>' + pct(g.reopen) + '</td><td>' + num(g.csat.mean, 2) + '</td></tr>'; }).join('');
    document.getElementById('groups').innerHTML = '<table><thead><tr><th>group</th><th>tickets</th><th>open</th><th>MTTA</th><th>MTTR</th><th>SLA resp</th><th>SLA res</th><th>FCR</th><th>reopen</th><th>CSAT</th></tr></thead><tbody>' + rows + '</tbody></table>';
    document.getElementById('breaches').innerHTML = data.breaches.length === 0 ? 'All targets met.' : '<ul>' + data.breaches.slice(0, 8).map(function (b) { return '<li>' + esc(b.title) + '</li>'; }).join('') + '</ul>';
    var im = data.improvements || { counts: {}, items: [] };
    document.getElementById('improvements').innerHTML = '<p>' + ['open', 'in_progress', 'done', 'dismissed'].map(function (s) { return (im.counts[s] || 0) + ' ' + s.replace('_', ' '); }).join(' · ') + '</p>' + (im.items.length === 0 ? 'Nothing to work on.' : '<table><thead><tr><th>#</th><th>item</th><th>state</th><th>owner</th><th>opened</th></tr></thead><tbody>' + im.items.slice(0, 15).map(function (i) { return '<tr><td>' + i.id + '</td><td>' + esc(i.title) + '</td><td>' + esc(i.status.replace('_', ' ')) + '</td><td>' + esc(i.owner || '–') + '</td><td>' + esc(i.openedAt.slice(0, 10)) + '</td></tr>'; }).join('') + '</tbody></table>');
    document.getElementById('gaps').innerHTML = r.knowledgeGaps.length === 0 ? 'None in this period.' : '<ul>' + r.knowledgeGaps.slice(0, 8).map(function (g) { return '<li>' + esc(g.category) + (g.intent ? ' / ' + esc(g.intent) : '') + ': ' + g.count + ' (' + esc(g.examples.join(', ')) + ')</li>'; }).join('') + '</ul>';
    document.getElementById('status').textContent = 'Period ' + (r.period.since ? r.period.since.slice(0, 10) : 'start') + ' → ' + r.period.until.slice(0, 10) + (r.group ? ' · group ' + r.group : '') + ' · generated ' + r.generatedAt.slice(0, 16).replace('T', ' ');
    document.body.dataset.ready = '1';
  }
  function load() {
    document.body.dataset.ready = '0';
    var q = new URLSearchParams({ since: document.getElementById('since').value });
    var g = document.getElementById('group').value; if (g) q.set('group', g);
    fetch('/dashboard/data.json?' + q.toString(), { credentials: 'same-origin' }).then(function (res) {
      if (res.status === 401) { location.href = '/'; return null; }
      return res.json().then(function (j) { if (!res.ok) throw new Error(j.error ? j.error.message : res.statusText); return j; });
    }).then(function (j) { if (j) render(j); }).catch(function (e) { var s = document.getElementById('status'); s.textContent = 'Could not load the KPIs: ' + e.message; s.className = 'err'; document.body.dataset.ready = 'error'; });
  }
  document.getElementById('since').addEventListener('change', load);
  document.getElementById('group').addEventListener('change', load);
  load();
})();
`;
