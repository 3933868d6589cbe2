import { api, errorBox, field, h } from './dom.js';
import { groupPage, groupsPage } from './groups.js';
import { messagesPage } from './messages.js';
import { overviewPage } from './overview.js';
import { topicPage, topicsPage } from './topics.js';

// Hash routes: #/, #/topics, #/topics/<name>, #/topics/<name>/messages, #/groups, #/groups/<id>.
const ROUTES = [
  [/^\/?$/, 'overview', () => overviewPage],
  [/^\/topics$/, 'topics', () => topicsPage],
  [/^\/topics\/([^/]+)$/, 'topics', (m) => (ctx) => topicPage(ctx, decodeURIComponent(m[1]))],
  [/^\/topics\/([^/]+)\/messages$/, 'topics', (m) => (ctx) => messagesPage(ctx, decodeURIComponent(m[1]))],
  [/^\/groups$/, 'groups', () => groupsPage],
  [/^\/groups\/([^/]+)$/, 'groups', (m) => (ctx) => groupPage(ctx, decodeURIComponent(m[1]))],
];

let session = null;
let current = null;

/** What a page gets: where to render, and timers that stop when the page is left. */
function pageContext() {
  const timers = [];
  return {
    main: document.getElementById('main'),
    every(ms, fn) {
      timers.push(setInterval(fn, ms));
    },
    stop() {
      for (const t of timers) clearInterval(t);
      timers.length = 0;
    },
    active: true,
  };
}

async function render() {
  current?.stop();
  if (current) current.active = false;
  const main = document.getElementById('main');
  if (session?.loginRequired && !session.principal) {
    main.replaceChildren(loginForm());
    return;
  }
  const path = location.hash.replace(/^#/, '') || '/';
  const route = ROUTES.find(([re]) => re.test(path));
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (route && a.dataset.nav === route[1]) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const ctx = pageContext();
  current = ctx;
  if (!route) {
    main.replaceChildren(h('h1', null, 'Not found'), h('p', null, 'No page at ', h('code', null, path)));
    return;
  }
  try {
    await route[2](route[0].exec(path))(ctx);
  } catch (err) {
    if (ctx.active) main.replaceChildren(h('h1', null, 'Error'), errorBox(err));
  }
  // Move focus to the new page for keyboard and screen-reader users (not on the first load).
  if (rendered++ > 0 && ctx.active) main.focus({ preventScroll: true });
}
let rendered = 0;

function loginForm() {
  const user = h('input', { name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const mech = h(
    'select',
    { name: 'mechanism' },
    session.mechanisms.map((m) => h('option', { value: m }, m)),
  );
  const out = h('div');
  const form = h(
    'form',
    {
      class: 'card narrow',
      'aria-labelledby': 'login-title',
      onsubmit: async (e) => {
        e.preventDefault();
        out.replaceChildren();
        try {
          await api('/api/login', {
            method: 'POST',
            body: { mechanism: mech.value, username: user.value, password: pass.value },
          });
          await loadSession();
          render();
        } catch (err) {
          out.replaceChildren(errorBox(err));
        }
      },
    },
    h('h1', { id: 'login-title' }, 'Sign in'),
    h('p', null, 'This broker authenticates its clients with SASL: sign in with a SASL user of the broker.'),
    field('User', user),
    field('Password', pass),
    field('Mechanism', mech),
    h('button', { type: 'submit' }, 'Sign in'),
    out,
  );
  return form;
}

async function loadSession() {
  session = await api('/api/session');
  const who = document.getElementById('who');
  const notice = document.getElementById('notice');
  who.replaceChildren();
  if (session.loginRequired && session.principal) {
    who.append(
      h('span', null, session.principal),
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: async () => {
            await api('/api/logout', { method: 'POST', body: {} });
            await loadSession();
            render();
          },
        },
        'Sign out',
      ),
    );
  }
  if (!session.loginRequired) {
    notice.hidden = false;
    notice.textContent = session.localOnly
      ? 'No login: this broker has no SASL listener, so the console asks for none. It serves on localhost only (strom.http.listeners).'
      : 'No login: this broker has no SASL listener, and the console serves on a non-local address. Anyone who reaches it can change topics and groups.';
    notice.classList.toggle('warn', !session.localOnly);
  } else {
    notice.hidden = true;
  }
}

window.addEventListener('hashchange', render);
window.addEventListener('strom:unauthenticated', async () => {
  await loadSession();
  render();
});
loadSession()
  .catch(() => {
    session = { loginRequired: false, localOnly: true, mechanisms: [] };
  })
  .then(render);
