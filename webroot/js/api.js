// The HTTP client: every call goes through request(), which turns problem+json into ApiError.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || problem.error || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }

  /** The message for one form field, or undefined. */
  fieldError(field) {
    const hit = this.errors.find((e) => e.field === field);
    return hit ? hit.message : undefined;
  }
}

let onUnauthorized = () => {};

/** Called with the ApiError whenever the server answers 401 (the session ended). */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

export async function request(method, path, body, { quiet401 = false } = {}) {
  const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (networkError) {
    throw new ApiError(0, { title: 'Network error', detail: 'the server cannot be reached; is scriptd running?' });
  }
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await response.json().catch(() => ({})) : await response.text();
  if (!response.ok) {
    const problem = typeof data === 'object' ? data : { title: response.statusText, detail: String(data).slice(0, 300) };
    const error = new ApiError(response.status, problem);
    if (response.status === 401 && !quiet401) onUnauthorized(error);
    throw error;
  }
  return data;
}

const get = (path, options) => request('GET', path, undefined, options);
const post = (path, body) => request('POST', path, body ?? {});
const put = (path, body) => request('PUT', path, body);
const del = (path) => request('DELETE', path);

/** Builds a query string from the defined, non-empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

export const api = {
  me: () => get('/api/me', { quiet401: true }),
  login: (token) => request('POST', '/api/login', { token }, { quiet401: true }),
  logout: () => post('/api/logout'),

  runs: (filters) => get(`/api/runs${query(filters)}`),
  run: (id) => get(`/api/runs/${enc(id)}`),
  startRun: (body) => post('/api/runs', body),
  killRun: (id) => post(`/api/runs/${enc(id)}/kill`),
  restartRun: (id) => post(`/api/runs/${enc(id)}/restart`),
  deleteRun: (id) => del(`/api/runs/${enc(id)}`),
  pinRun: (id, pinned) => (pinned ? post(`/api/runs/${enc(id)}/pin`) : del(`/api/runs/${enc(id)}/pin`)),
  logs: (id, since, limit) => get(`/api/runs/${enc(id)}/logs${query({ since, limit })}`),
  stats: (filters) => get(`/api/runs/stats${query(filters)}`),
  search: (params) => get(`/api/search${query(params)}`),
  cleanupStatus: () => get('/api/runs/cleanup/status'),
  cleanup: (days) => post('/api/runs/cleanup', { days }),

  scripts: () => get('/api/scripts?limit=1000'),
  script: (id) => get(`/api/scripts/${enc(id)}`),
  createScript: (body) => post('/api/scripts', body),
  updateScript: (id, body) => put(`/api/scripts/${enc(id)}`, body),
  deleteScript: (id) => del(`/api/scripts/${enc(id)}`),
  runScript: (id) => post(`/api/scripts/${enc(id)}/run`),
  preview: (id, count = 10) => get(`/api/scripts/${enc(id)}/schedule/preview?count=${count}`),
  scheduleHistory: (id, cursor, limit = 50) => get(`/api/scripts/${enc(id)}/schedule/history${query({ limit, cursor })}`),
  checkCron: (cron, timezone, count = 10) => get(`/api/schedules/preview${query({ cron, timezone, count })}`),

  tokens: () => get('/api/tokens'),
  createToken: (body) => post('/api/tokens', body),
  revokeToken: (id) => del(`/api/tokens/${enc(id)}`),

  audit: (filters) => get(`/api/audit${query(filters)}`),
  verifyAudit: () => get('/api/audit/verify'),
};

/** URLs the browser opens itself (EventSource, downloads). */
export const urls = {
  events: '/api/events',
  logStream: (id, since) => `/api/runs/${enc(id)}/logs?since=${since}`,
  logText: (id, strip) => `/api/runs/${enc(id)}/log.txt${strip ? '?ansi=strip' : ''}`,
};
