// Entry point: finds out who is logged in, then starts the router and the page shell.

import { api, setUnauthorizedHandler } from './api.js';
import { route, start, stop, currentPath } from './router.js';
import { session, can } from './session.js';
import { onConnection, closeEvents } from './events.js';
import { h } from './dom.js';
import { loginPage } from './pages/login.js';
import { dashboardPage } from './pages/dashboard.js';
import { runPage } from './pages/run.js';
import { scriptsPage, scriptEditPage } from './pages/scripts.js';
import { historyPage } from './pages/history.js';
import { tokensPage } from './pages/tokens.js';
import { auditPage } from './pages/audit.js';

const main = document.getElementById('main');
const topbar = document.getElementById('topbar');

/** The server sets the scriptd_ui cookie (no secret in it) beside the HttpOnly session cookie. */
function hasSessionHint() {
  return document.cookie.split(';').some((c) => c.trim().startsWith('scriptd_ui=') && c.trim().length > 'scriptd_ui='.length);
}

async function boot() {
  if (!hasSessionHint()) {
    // never logged in here (or logged out): the form, without asking /api/me for a 401 first
    showLogin();
    return;
  }
  try {
    const me = await api.me();
    Object.assign(session, { name: me.name, role: me.role, anonymous: me.auth === false });
  } catch (error) {
    if (error.status === 401) {
      showLogin();
      return;
    }
    main.replaceChildren(h('div.msg.msg-error', { role: 'alert' }, `Cannot reach the server: ${error.message}`));
    return;
  }
  enterApp();
}

function showLogin() {
  stop();
  closeEvents();
  topbar.hidden = true;
  main.replaceChildren();
  loginPage(main, {
    onLogin(me) {
      Object.assign(session, { name: me.name, role: me.role, anonymous: false });
      enterApp();
    },
  });
}

let started = false;

function enterApp() {
  topbar.hidden = false;
  document.body.dataset.role = session.role;
  document.getElementById('who-name').textContent = session.anonymous ? '' : `${session.name} · ${session.role}`;
  document.getElementById('logout').hidden = session.anonymous;
  for (const link of topbar.querySelectorAll('[data-role]')) link.hidden = !can(link.dataset.role);
  if (!started) {
    started = true;
    route('/', dashboardPage);
    route('/runs/:id', runPage);
    route('/scripts', scriptsPage);
    route('/scripts/new', scriptEditPage);
    route('/scripts/:id', scriptEditPage);
    route('/history', historyPage);
    route('/tokens', tokensPage);
    route('/audit', auditPage);
    start(main, (el, { path }) => {
      el.append(h('section.page', {}, h('h1', {}, 'Not found'), h('p', {}, `Nothing at ${path}. `, h('a', { href: '#/' }, 'Back to the dashboard'))));
    });
  } else {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  }
}

document.addEventListener('routechange', () => {
  const path = currentPath();
  for (const link of topbar.querySelectorAll('[data-nav]')) {
    const nav = link.dataset.nav;
    const active = nav === '/' ? path === '/' || path.startsWith('/runs/') : path.startsWith(nav);
    if (active) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
});

// The skip link's '#main' would be taken for a route (the hash holds the page): move focus instead.
document.querySelector('a.skip').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
  main.scrollIntoView({ block: 'start' });
});

document.getElementById('logout').addEventListener('click', async () => {
  try { await api.logout(); } catch { /* the cookie is gone either way */ }
  Object.assign(session, { name: null, role: null });
  showLogin();
});

setUnauthorizedHandler(() => {
  if (!session.anonymous) showLogin();
});

onConnection((up) => {
  const dot = document.getElementById('live-dot');
  dot.hidden = up === null; // a page without live updates (a run view has its own stream) shows no dot
  dot.classList.toggle('up', up === true);
  dot.setAttribute('aria-label', up ? 'live updates connected' : 'live updates disconnected');
  dot.title = up ? 'live updates connected' : 'live updates disconnected (reconnecting)';
});

// xterm.js is a classic script loaded with defer; modules run after deferred scripts, so it is ready
boot();
