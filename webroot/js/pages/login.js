// The login form: a token, exchanged for the HttpOnly scriptd_token cookie; and, when the server has
// single sign-on configured (GET /auth/info), a "Sign in with SSO" link to the OpenID provider.

import { api } from '../api.js';
import { h, showError, field } from '../dom.js';

export function loginPage(el, { onLogin }) {
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'current-password', required: true, id: 'login-token' });
  const msg = h('div.msg', { hidden: true });
  const button = h('button.btn.btn-primary', { type: 'submit' }, 'Log in');
  const form = h('form.login-card', { 'aria-labelledby': 'login-title' },
    h('div.brand.brand-lg', {}, h('span.brand-mark', { 'aria-hidden': 'true' }, '>_'), ' scriptd'),
    h('h1#login-title', {}, 'Log in'),
    h('p.muted', {}, 'Paste an API token. The admin token is printed once at the first start, as a link that logs you in directly.'),
    field('Token', input),
    msg,
    button);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    button.disabled = true;
    try {
      const me = await api.login(input.value.trim());
      onLogin(me);
    } catch (error) {
      showError(msg, error.status === 401 ? Object.assign(error, { message: 'That token is not valid (or was revoked).' }) : error, form);
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  el.append(h('section.login', {}, form));
  input.focus();
  offerSso(form, msg);
}

/** Adds the SSO button above the token field when the server says single sign-on is on. */
async function offerSso(form, msg) {
  let info;
  try {
    const response = await fetch('/auth/info', { headers: { Accept: 'application/json' } });
    if (!response.ok) return;
    info = await response.json();
  } catch {
    return; // an older server, or offline: the token form still works
  }
  if (!info.sso) return;
  const sso = h('a.btn.btn-primary#login-sso', { href: info.login || '/auth/login' }, 'Sign in with SSO');
  const or = h('p.muted.login-or', {}, 'or');
  form.insertBefore(or, form.querySelector('p.muted'));
  form.insertBefore(sso, or);
}
