// Script names for run tables (runs carry only script_id). Empty when the server has no scripts yet.

import { api } from './api.js';

let cache = null;

/** Map of script id -> script; refreshed at most every 10 s unless forced. */
export async function scriptsById(force = false) {
  if (!force && cache && Date.now() - cache.at < 10_000) return cache.map;
  let items = [];
  try {
    const page = await api.scripts();
    items = page.items || [];
  } catch {
    items = [];
  }
  cache = { at: Date.now(), map: new Map(items.map((s) => [s.id, s])) };
  return cache.map;
}

export function invalidateScripts() {
  cache = null;
}

/** What to show for a run's script: its name, or the ad-hoc command. */
export function runLabel(run, scripts) {
  if (run.script_id) return scripts.get(run.script_id)?.name || run.script_id.slice(0, 8);
  return run.command || (run.kind === 'js' ? 'JS program' : 'ad-hoc');
}
