// One shared EventSource on /api/events for every page that shows runs; opened on first use.

import { urls } from './api.js';

const listeners = new Set();
const stateListeners = new Set();
let source = null;
let connected = null; // null: no page uses live updates, so there is no connection to report

function open() {
  source = new EventSource(urls.events);
  source.addEventListener('run', (e) => {
    let run;
    try { run = JSON.parse(e.data); } catch { return; }
    for (const fn of listeners) fn(run);
  });
  source.onopen = () => setConnected(true);
  // EventSource reconnects by itself; we only report the state
  source.onerror = () => setConnected(false);
}

function setConnected(value) {
  if (connected === value) return;
  connected = value;
  for (const fn of stateListeners) fn(value);
}

/** Calls fn(run) on every run status change; returns the unsubscribe function. */
export function onRun(fn) {
  listeners.add(fn);
  if (!source) open();
  return () => listeners.delete(fn);
}

/** Calls fn(connected) now and whenever the live connection goes up or down (null: not opened). */
export function onConnection(fn) {
  stateListeners.add(fn);
  fn(connected);
  return () => stateListeners.delete(fn);
}

export function closeEvents() {
  if (source) source.close();
  source = null;
  setConnected(null);
}
