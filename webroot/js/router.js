// Hash routing: '#/runs/abc' -> the page registered for '/runs/:id' with {id: 'abc'}.

const routes = [];
let current = null;
let outlet = null;
let notFound = null;

export function route(pattern, page) {
  const names = [];
  const regex = new RegExp('^' + pattern.replace(/:([a-z_]+)/g, (_, n) => { names.push(n); return '([^/]+)'; }) + '$');
  routes.push({ regex, names, page, pattern });
}

export function start(element, fallback) {
  outlet = element;
  notFound = fallback;
  window.addEventListener('hashchange', render);
  render();
}

export function navigate(path) {
  if (location.hash === `#${path}`) render();
  else location.hash = path;
}

export function currentPath() {
  const raw = location.hash.replace(/^#/, '') || '/';
  return raw.split('?')[0];
}

/** Query parameters after '?' inside the hash. */
export function hashParams() {
  const i = location.hash.indexOf('?');
  return new URLSearchParams(i >= 0 ? location.hash.slice(i + 1) : '');
}

function render() {
  if (!outlet) return;
  if (current?.destroy) current.destroy();
  current = null;
  const path = currentPath();
  for (const r of routes) {
    const m = path.match(r.regex);
    if (!m) continue;
    const params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
    outlet.replaceChildren();
    current = r.page(outlet, params) || null;
    document.dispatchEvent(new CustomEvent('routechange', { detail: { pattern: r.pattern, path } }));
    return;
  }
  outlet.replaceChildren();
  current = notFound(outlet, { path }) || null;
}

/** Stops the current page (used on logout). */
export function stop() {
  if (current?.destroy) current.destroy();
  current = null;
}
