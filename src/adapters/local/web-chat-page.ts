/** The single page of the web chat; no build step, no external assets (works offline). */
export function webChatHtml(mode: 'demo' | 'login'): string {
  const header =
    mode === 'demo'
      ? '<header><h1>chatdesk</h1><span class="demo">DEMO · no sign-in: whoever opens this page can act as anyone · development only</span><label>You are <select id="user"></select></label></header>'
      : '<header><h1>chatdesk</h1><label>Signed in as <select id="user"></select></label><form method="post" action="chat/logout" class="out"><button>Sign out</button></form></header>';
  return WEB_CHAT_HTML.replace('<!--HEADER-->', header);
}

/** The sign-in page of WEB_CHAT=login: there is nothing to type, the link is the credential. */
export function webLoginHtml(error: string | null): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>chatdesk — sign in</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 560px; margin: 60px auto">
<h1>chatdesk</h1>
${error ? `<p style="color:#e01e5a">${esc(error)}</p>` : ''}
<p>Sign in with the login link your service desk sent you. An administrator issues one with <code>chatdesk weblogin &lt;your email&gt;</code>.</p>
</body></html>`;
}

const WEB_CHAT_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chatdesk — local chat</title>
<style>
  :root { font-family: system-ui, -apple-system, Segoe UI, sans-serif; color: #1d1c1d; }
  body { margin: 0; background: #f4f4f6; }
  header { background: #3f0e40; color: #fff; padding: 12px 20px; display: flex; gap: 16px; align-items: center; }
  header h1 { font-size: 18px; margin: 0; font-weight: 600; }
  header select { font-size: 14px; padding: 4px; }
  main { max-width: 820px; margin: 0 auto; padding: 16px; }
  #log { background: #fff; border-radius: 8px; padding: 16px; min-height: 420px; max-height: 64vh; overflow-y: auto; box-shadow: 0 1px 3px rgba(0,0,0,.1); }
  .msg { margin: 10px 0; white-space: pre-wrap; line-height: 1.4; }
  .me { text-align: right; }
  .me span { background: #1264a3; color: #fff; padding: 6px 10px; border-radius: 12px; display: inline-block; }
  .bot b.who { color: #3f0e40; }
  .article { border-left: 4px solid #1264a3; background: #f8f8f8; padding: 8px 12px; margin-top: 6px; border-radius: 4px; }
  .article .title { font-weight: 700; display: block; margin-bottom: 4px; }
  .card { border-left: 4px solid #2eb67d; background: #f8f8f8; padding: 8px 12px; margin-top: 6px; border-radius: 4px; }
  .card .num { font-weight: 700; }
  .choices button { margin: 6px 6px 0 0; padding: 5px 10px; border: 1px solid #bbb; border-radius: 6px; background: #fff; cursor: pointer; }
  .choices button.primary { background: #007a5a; color: #fff; border-color: #007a5a; }
  .choices button.danger { color: #e01e5a; border-color: #e01e5a; }
  form { display: flex; gap: 8px; margin-top: 12px; }
  form input { flex: 1; font-size: 15px; padding: 10px; border-radius: 6px; border: 1px solid #bbb; }
  form button { padding: 10px 18px; font-size: 15px; border-radius: 6px; border: 0; background: #007a5a; color: #fff; }
  .err { color: #e01e5a; }
  header .demo { background: #ecb22e; color: #1d1c1d; font-weight: 700; padding: 2px 8px; border-radius: 4px; font-size: 13px; }
  header form.out { margin: 0 0 0 auto; }
</style>
</head>
<body>
<!--HEADER-->
<main>
  <div id="log" aria-live="polite"></div>
  <form id="f"><input id="text" autocomplete="off" placeholder="Try: my vpn keeps dropping · I need a new laptop · status" autofocus><button>Send</button></form>
</main>
<script>
const log = document.getElementById('log');
const userSel = document.getElementById('user');
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
function showMine(text) {
  const d = el('div', 'msg me'); d.append(el('span', '', text)); log.append(d); log.scrollTop = log.scrollHeight;
}
function show(reply) {
  if (reply.from === 'user') { showMine(reply.text); return; }
  const d = el('div', 'msg bot');
  d.append(el('b', 'who', 'bot: '), document.createTextNode(reply.text));
  if (reply.article) {
    const a = reply.article, box = el('div', 'article');
    box.append(el('span', 'title', a.title));
    if (a.url) { const link = el('a', '', a.url); link.href = a.url; link.target = '_blank'; link.rel = 'noopener'; box.append(link, document.createElement('br')); }
    box.append(document.createTextNode(a.body));
    d.append(box);
  }
  if (reply.card) {
    const c = reply.card, card = el('div', 'card');
    card.append(el('span', 'num', c.number + ' '), document.createTextNode(c.title + ' · ' + c.priority + ' · ' + c.state + (c.assignee ? ' · ' + c.assignee : c.group ? ' · ' + c.group : '') + (c.eta ? ' · ' + c.eta : '')));
    addChoices(card, c.actions);
    d.append(card);
  }
  if (reply.choices) addChoices(d, reply.choices);
  log.append(d); log.scrollTop = log.scrollHeight;
}
function addChoices(parent, choices) {
  if (!choices || !choices.length) return;
  const box = el('div', 'choices');
  for (const ch of choices) {
    const b = el('button', ch.style || '', ch.label);
    b.onclick = () => send({ action: { actionId: ch.actionId, value: ch.value, label: ch.label } }, '[' + ch.label + ']');
    box.append(b);
  }
  parent.append(box);
}
let lastId = null, sending = false;
async function poll() {
  // While a message is on its way, its own response shows the replies.
  if (sending) return;
  try {
    const r = await fetch('chat/api/messages?user=' + encodeURIComponent(userSel.value) + (lastId ? '&after=' + encodeURIComponent(lastId) : ''));
    if (r.ok) { const j = await r.json(); for (const m of j.replies) { show(m); lastId = m.id; } }
  } catch (e) { /* the server may be restarting; try again on the next tick */ }
}
setInterval(poll, 3000);
async function send(body, echo) {
  showMine(echo);
  sending = true;
  try {
    const r = await fetch('chat/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: userSel.value, ...body }) });
    const j = await r.json();
    if (!r.ok) { log.append(el('div', 'msg err', j.error ? j.error.message : 'error ' + r.status)); return; }
    lastId = j.said.id;
    j.replies.forEach((m) => { show(m); lastId = m.id; });
  } catch (e) { log.append(el('div', 'msg err', String(e))); }
  finally { sending = false; }
}
document.getElementById('f').onsubmit = (e) => {
  e.preventDefault();
  const t = document.getElementById('text'); const text = t.value.trim(); if (!text) return; t.value = '';
  send({ text }, text);
};
fetch('chat/api/people').then(r => r.json()).then(j => {
  for (const p of j.people) { const o = el('option', '', p.name + ' <' + p.email + '> (' + p.role + ')'); o.value = p.email; userSel.append(o); }
  poll();
});
userSel.onchange = () => { lastId = null; log.textContent = ''; poll(); };
</script>
</body>
</html>
`;
