/** The agent side of the local web chat: pick an agent and a group, work the triage channel's threads. */
export const WEB_CHAT_AGENTS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>chatdesk · triage channel</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:0;background:#f4f5f7;color:#172b4d}
header{background:#0052cc;color:#fff;padding:10px 16px;display:flex;gap:12px;align-items:center}
header a{color:#fff}
main{max-width:900px;margin:16px auto;padding:0 12px}
.card{background:#fff;border-radius:6px;padding:12px;margin-bottom:14px;box-shadow:0 1px 2px #0002}
.card pre{white-space:pre-wrap;font:inherit;margin:0 0 8px}
.thread{border-left:3px solid #dfe1e6;margin:8px 0;padding-left:10px}
.thread div{margin:4px 0}.agent{color:#0052cc}
button{margin:2px;padding:4px 10px;border:1px solid #0052cc;border-radius:4px;background:#fff;color:#0052cc;cursor:pointer}
form{display:flex;gap:6px}form input{flex:1;padding:6px}
</style></head>
<body>
<header><strong>Triage channel</strong>
<label>Agent <select id="agent"></select></label>
<label>Group <select id="group"></select></label>
<a href="/chat">requester side</a></header>
<main><p>Handoff cards of the group appear here. Claim with the button, reply in the thread to talk to
the requester, start with ;; for an internal note, type "hand back" or "resolve &lt;note&gt;".
Commands like "priority P1" or "pending vendor: waiting for a part" work too.</p><div id="board"></div></main>
<script>
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
async function load() {
  const people = (await (await fetch('/chat/api/people')).json()).people.filter((p) => p.role !== 'employee');
  $('agent').innerHTML = people.map((p) => '<option value="' + esc(p.email) + '">' + esc(p.name) + '</option>').join('');
  const groups = (await (await fetch('/chat/api/groups')).json()).groups;
  $('group').innerHTML = groups.map((g) => '<option value="' + esc(g.slug) + '">' + esc(g.name) + '</option>').join('');
  $('group').onchange = refresh;
  refresh();
  setInterval(refresh, 2000);
}
function render(cards) {
  $('board').innerHTML = cards.length === 0 ? '<p>No handoffs yet.</p>' : cards.map((c) => {
    const buttons = [...((c.card && c.card.actions) || []), ...(c.choices || [])];
    return '<div class="card" data-id="' + esc(c.id) + '"><pre>' + esc(c.text) + '</pre>' +
      buttons.map((b, i) => '<button data-card="' + esc(c.id) + '" data-i="' + i + '">' + esc(b.label) + '</button>').join('') +
      '<div class="thread">' + c.thread.map((m) => '<div class="' + m.from + '">' + esc(m.text) + '</div>').join('') + '</div>' +
      '<form data-card="' + esc(c.id) + '"><input placeholder="Reply in the thread (;; for a note)"><button>Send</button></form></div>';
  }).join('');
  for (const b of document.querySelectorAll('button[data-i]')) b.onclick = () => {
    const c = cards.find((x) => x.id === b.dataset.card);
    const all = [...((c.card && c.card.actions) || []), ...(c.choices || [])];
    const a = all[Number(b.dataset.i)];
    send(b.dataset.card, { action: { actionId: a.actionId, value: a.value } });
  };
  for (const f of document.querySelectorAll('form[data-card]')) f.onsubmit = (e) => {
    e.preventDefault();
    const input = f.querySelector('input');
    if (input.value.trim()) send(f.dataset.card, { text: input.value });
    input.value = '';
  };
}
let typing = false;
document.addEventListener('focusin', () => { typing = true; });
document.addEventListener('focusout', () => { typing = false; });
async function refresh() {
  if (typing) return;
  const r = await fetch('/chat/api/triage?group=' + encodeURIComponent($('group').value));
  if (r.ok) render((await r.json()).cards);
}
async function send(thread, body) {
  const r = await fetch('/chat/api/triage', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: $('agent').value, group: $('group').value, thread, ...body }) });
  const j = await r.json();
  if (r.ok) render(j.cards); else alert(j.error ? j.error.message : 'failed');
}
load();
</script></body></html>`;
