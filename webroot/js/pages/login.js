// The login form: a token, exchanged for the HttpOnly scriptd_token cookie.

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
}
