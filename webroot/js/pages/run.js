// Run view: header with the run's state, actions, and the log terminal following the live tail.

import { api, urls } from '../api.js';
import { h, clear, statusBadge, fmtTime, fmtDuration, runDuration, progressBar, FINAL, showError, hideMsg, showInfo } from '../dom.js';
import { LogView } from '../logview.js';
import { navigate, hashParams } from '../router.js';
import { can } from '../session.js';
import { scriptsById, runLabel } from '../catalog.js';
import { pinToggle } from '../runtable.js';
import { valuesTable } from '../paramform.js';

const TAIL = 5000; // lines fetched when the view opens
const PAGE = 5000; // lines per "load older"

export function runPage(el, { id }) {
  let run = null;
  let scripts = new Map();
  let source = null;
  let destroyed = false;
  let ticker = null;
  let headerProgress = null; // the progress the header shows (null: none)

  const title = h('h1.run-title', {}, 'Run');
  const meta = h('dl.run-meta');
  const commandBox = h('div.run-command', { hidden: true });
  const actions = h('div.actions');
  const msg = h('div.msg', { hidden: true });
  const termBox = h('div.term-box', { id: 'terminal' });
  const related = h('div.run-related', { id: 'run-related', hidden: true });
  const streamState = h('span.stream-state', { 'aria-live': 'polite' });

  const pauseBtn = h('button.btn.btn-sm', { type: 'button', id: 'log-pause', 'aria-pressed': 'false' }, 'Pause');
  const liveBtn = h('button.btn.btn-sm.btn-accent', { type: 'button', id: 'log-live', hidden: true }, '↓ Jump to live');
  const olderBtn = h('button.btn.btn-sm', { type: 'button', id: 'log-older', hidden: true }, 'Load older');
  const searchInput = h('input', { type: 'search', id: 'log-search', placeholder: 'Search loaded lines', 'aria-label': 'Search the loaded log lines' });
  const prevBtn = h('button.btn.btn-sm', { type: 'button', 'aria-label': 'Previous match', title: 'Previous match (Shift+Enter)' }, '↑');
  const nextBtn = h('button.btn.btn-sm', { type: 'button', 'aria-label': 'Next match', title: 'Next match (Enter)' }, '↓');
  const searchCount = h('span.search-count', { 'aria-live': 'polite' });
  const rangeInfo = h('span.range-info');
  const progressToggle = h('input', { type: 'checkbox', id: 'log-show-progress' });
  const progressLabel = h('label.check.check-sm', { hidden: true, title: 'Lines of the form "::progress N" set the run\'s progress' },
    progressToggle, ' ::progress lines');
  const stampToggle = h('input', { type: 'checkbox', id: 'log-timestamps' });

  el.append(h('section.page.page-run', {},
    h('div.run-head', {},
      h('a.back', { href: '#/' }, '← Dashboard'),
      h('div.run-title-row', {}, title, actions),
      meta,
      commandBox,
      related),
    msg,
    h('div.log-toolbar', { role: 'toolbar', 'aria-label': 'Log' },
      h('div.tool-group', {}, pauseBtn, olderBtn, liveBtn, streamState),
      h('div.tool-group.search', {}, searchInput, prevBtn, nextBtn, searchCount),
      h('div.tool-group', {}, h('label.check.check-sm', {}, stampToggle, ' Timestamps'), progressLabel),
      h('div.tool-group', {}, rangeInfo,
        h('span.legend', {}, h('span.legend-err', { 'aria-hidden': 'true' }, '┃'), ' stderr'),
        h('a.btn.btn-sm', { href: urls.logText(id, false), download: `${id}.log`, id: 'dl-ansi' }, 'log.txt'),
        h('a.btn.btn-sm', { href: urls.logText(id, true), download: `${id}.txt`, id: 'dl-plain' }, 'log.txt (no ANSI)'))),
    termBox));

  const view = new LogView(termBox, { onChange: updateToolbar });

  function updateToolbar() {
    pauseBtn.textContent = view.paused ? `Resume${view.pending ? ` (${view.pending} new)` : ''}` : 'Pause';
    pauseBtn.setAttribute('aria-pressed', String(view.paused));
    const finished = !!run && FINAL.has(run.status);
    pauseBtn.hidden = finished && !view.paused && !source;
    liveBtn.hidden = view.following && !view.detached && !view.paused;
    // a finished run has nothing live to jump to: the same button only goes back to its end
    liveBtn.textContent = finished ? '↓ Jump to end' : '↓ Jump to live';
    progressLabel.hidden = !reportsProgress();
    if (run && shownProgress() !== headerProgress) renderHeader(); // a marker line came, or the first one
    olderBtn.hidden = !(view.firstSeq > 1);
    rangeInfo.textContent = view.lines.length
      ? `lines ${view.firstSeq.toLocaleString()}–${view.lastSeq.toLocaleString()}${run ? ` of ${Math.max(run.log_lines || 0, view.lastSeq).toLocaleString()}` : ''}`
      : 'no output yet';
  }

  /** A run reports progress when it has a value above 0 or printed a marker line. */
  function reportsProgress() {
    return (!!run && Number(run.progress) > 0) || view.sawProgress;
  }

  /** The progress to show, or null for a run that reports none. */
  function shownProgress() {
    if (!run || !reportsProgress()) return null;
    if (run.status === 'completed') return 100;
    // while it runs, the newest marker line can be ahead of the run object we last fetched
    return !FINAL.has(run.status) && !view.detached && view.progress !== null ? view.progress : Number(run.progress) || 0;
  }

  function renderHeader() {
    if (!run) return;
    headerProgress = shownProgress();
    const label = runLabel(run, scripts);
    clear(title, statusBadge(run.status), ' ',
      run.script_id ? h('a', { href: `#/scripts/${run.script_id}` }, label) : h('code', { title: run.command || '' }, label));
    document.title = `${run.status} · ${label} · scriptd`;
    const item = (k, v, cls) => h(`div.meta-item${cls ? `.meta-${cls}` : ''}`, {}, h('dt', {}, k), h('dd', {}, v));
    clear(meta,
      run.script_id ? item('Script', h('a', { href: `#/scripts/${run.script_id}`, id: 'run-script-link' }, label), 'script') : null,
      item('Exit', run.exit_code ?? '—', 'exit'),
      item('Duration', fmtDuration(runDuration(run)), 'duration'),
      item('Started', fmtTime(run.started_at || run.created_at)),
      item('Ended', fmtTime(run.ended_at)),
      item('Trigger', run.trigger || '—', 'trigger'),
      run.created_by ? item('Started by', run.created_by, 'created-by') : null,
      item('PID', run.pid ?? '—'),
      headerProgress !== null ? item('Progress', h('span.inline-progress', {}, progressBar(headerProgress, run.status), ` ${headerProgress}%`), 'progress') : null,
      run.restarted_from ? item('Restarted from', h('a', { href: `#/runs/${run.restarted_from}` }, run.restarted_from.slice(0, 8))) : null,
      run.parent_run_id ? item('Started by the run', h('a', { href: `#/runs/${run.parent_run_id}`, id: 'run-parent' }, run.parent_run_id.slice(0, 8)), 'parent') : null,
      run.retry_of ? item('Retry of', h('a', { href: `#/runs/${run.retry_of}`, id: 'run-retry-of' }, run.retry_of.slice(0, 8)), 'retry-of') : null,
      run.attempt > 1 || retryLabel() ? item('Attempt', h('span', { id: 'run-attempt' }, retryLabel() || attemptLabel()), 'attempt') : null,
      item('Working directory', run.cwd || 'the server\'s working directory', 'cwd'),
      Object.keys(run.params || {}).length ? item('Params', valuesTable(run.params, 'run-params'), 'params') : null,
      Object.keys(run.outputs || {}).length ? item('Outputs', valuesTable(run.outputs, 'run-outputs'), 'outputs') : null,
      run.error ? item('Error', run.error, 'err') : null);
    commandBox.hidden = !run.command;
    if (run.command) {
      clear(commandBox, h('div.run-command-label', {}, run.kind === 'js' ? 'Program' : 'Command'),
        h('pre.run-command-text', { id: 'run-command', tabindex: '0', 'aria-label': 'Command' }, run.command));
    }
    termBox.dataset.status = run.status;
    const live = !FINAL.has(run.status);
    const pin = pinToggle(run, (next) => { run = next; renderHeader(); }, (error) => showError(msg, error));
    if (pin) pin.id = 'run-pin';
    clear(actions, pin,
      can('operator') && live ? h('button.btn.btn-danger', { type: 'button', id: 'run-kill', onclick: kill }, 'Kill') : null,
      can('operator') ? h('button.btn', { type: 'button', id: 'run-restart', onclick: restart }, 'Restart') : null,
      can('admin') && !live && !run.pinned ? h('button.btn.btn-ghost', { type: 'button', id: 'run-delete', onclick: remove }, 'Delete') : null);
    updateToolbar();
  }

  /** "2/3": the attempt of the series and the script's max_attempts, when known. */
  function attemptLabel() {
    const max = scripts.get(run.script_id)?.retry?.max_attempts;
    return max ? `${run.attempt}/${max}` : String(run.attempt);
  }

  /** "retry 2/3 at 10:42:05" while a retry waits for its time, else null. */
  function retryLabel() {
    if (run.status !== 'pending' || !run.not_before) return null;
    const at = new Date(run.not_before).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    return `retry ${attemptLabel()} at ${at}`;
  }

  /** The chained runs it started, the other attempts of its retry series and its notification deliveries. */
  async function loadRelated() {
    try {
      const first = run.retry_of || run.id;
      const [children, retries, deliveries] = await Promise.all([
        api.runs({ parent_run_id: run.id, limit: 50 }),
        api.runs({ retry_of: first, limit: 100 }),
        api.notifications({ run_id: run.id, limit: 20 }),
      ]);
      if (destroyed) return;
      const link = (r) => h('li', {}, h('a', { href: `#/runs/${r.id}` }, r.id.slice(0, 8)), ' ', statusBadge(r.status), ' ',
        runLabel(r, scripts), r.attempt > 1 ? ` · attempt ${r.attempt}` : '', r.status === 'pending' && r.not_before ? ` · at ${fmtTime(r.not_before)}` : '');
      const series = run.retry_of ? [{ id: run.retry_of, status: '', attempt: 1, script_id: run.script_id }, ...retries.items.slice().reverse()]
        : retries.items.slice().reverse();
      const parts = [];
      if (children.items.length) parts.push(h('div.related-group', { id: 'run-children' }, h('h2', {}, 'Started by this run'), h('ul', {}, children.items.map(link))));
      if (series.length) parts.push(h('div.related-group', { id: 'run-retries' }, h('h2', {}, 'Retry series'),
        h('ul', {}, series.filter((r) => r.id !== run.id).map((r) => (r.status ? link(r) : h('li', {}, h('a', { href: `#/runs/${r.id}` }, r.id.slice(0, 8)), ' first attempt'))))));
      if (deliveries.items.length) parts.push(h('div.related-group', { id: 'run-deliveries' }, h('h2', {}, 'Notifications'),
        h('ul', {}, deliveries.items.map((d) => h('li', { dataset: { status: d.status } }, h('code', {}, d.url), ' ', d.event, ' · ', d.status,
          ` · ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`, d.last_status_code ? ` · HTTP ${d.last_status_code}` : '',
          d.last_error && d.status !== 'delivered' ? ` · ${d.last_error}` : '',
          d.status === 'pending' && d.next_attempt_at ? ` · next at ${fmtTime(d.next_attempt_at)}` : '')))));
      clear(related, parts);
      related.hidden = parts.length === 0;
    } catch (error) {
      // the related runs are extras: the view works without them
      related.hidden = true;
    }
  }

  async function kill() {
    try {
      const asked = await api.killRun(id);
      // the stream's done event may have come first: an answer saying "still running" must not undo it
      if (!FINAL.has(run.status)) run = asked;
      renderHeader();
      showInfo(msg, 'Kill sent: SIGTERM to the process group, SIGKILL after the grace period.');
    } catch (error) { showError(msg, error); }
  }

  async function restart() {
    try {
      const next = await api.restartRun(id);
      navigate(`/runs/${next.id}`);
    } catch (error) { showError(msg, error); }
  }

  async function remove() {
    if (!confirm('Delete this run and its log?')) return;
    try {
      await api.deleteRun(id);
      navigate('/');
    } catch (error) { showError(msg, error); }
  }

  /** Fetches the newest lines and shows them, then follows the live tail if the run goes on. */
  async function openTail(around = 0) {
    closeStream();
    run = await api.run(id);
    if (run.script_id && !scripts.has(run.script_id)) loadScripts(true);
    renderHeader();
    loadRelated();
    const total = run.log_lines || 0;
    // ?seq=N (a search hit): the lines around N instead of the newest
    const params = hashParams();
    const at = around > 0 ? around : 0;
    const since = at > 0 ? Math.max(0, at - TAIL / 2) : Math.max(0, total - TAIL);
    const page = await api.logs(id, since, TAIL);
    if (destroyed) return;
    await new Promise((resolve) => view.reset(page.lines || [], resolve));
    if (at > 0) {
      // a full page may have newer lines after it: they wait behind "Jump to live", which loads the tail
      if ((page.lines || []).length >= TAIL) view.detached = true;
      const index = view.lines.findIndex((line) => line.seq === at);
      if (index >= 0) {
        view.reveal(index, params.get('q') || '');
        termBox.dataset.revealedSeq = String(at);
      }
    }
    termBox.dataset.ready = 'true';
    updateToolbar();
    if (!FINAL.has(run.status) || !page.complete) follow(page.next_since ?? view.lastSeq ?? since);
    else streamState.textContent = 'finished';
  }

  function follow(since) {
    if (destroyed) return;
    source = new EventSource(urls.logStream(id, since));
    streamState.textContent = 'connecting…';
    source.onopen = () => { streamState.textContent = '● live'; streamState.className = 'stream-state live'; };
    let batch = [];
    let batchTimer = null;
    const flush = () => {
      batchTimer = null;
      view.append(batch); // a marker line among them moves the bar (updateToolbar)
      batch = [];
    };
    source.addEventListener('log', (e) => {
      batch.push(JSON.parse(e.data));
      if (batchTimer === null) batchTimer = setTimeout(flush, 16);
    });
    source.addEventListener('status', (e) => {
      run = { ...JSON.parse(e.data), pinned: !!run?.pinned }; // the run path does not track pins
      renderHeader();
    });
    source.addEventListener('done', (e) => {
      flush();
      run = { ...JSON.parse(e.data), pinned: !!run?.pinned };
      renderHeader();
      closeStream();
      // what followed the end (a retry, chained runs, deliveries) is decided just after it
      setTimeout(loadRelated, 1000);
      streamState.textContent = 'finished';
      streamState.className = 'stream-state';
    });
    source.addEventListener('gap', (e) => {
      // we fell behind: resume right after the last line we got
      flush();
      const { last_sent_seq: last } = JSON.parse(e.data);
      closeStream();
      follow(view.detached ? last : (view.lastSeq ?? last));
    });
    source.onerror = () => {
      if (source && source.readyState === EventSource.CLOSED) {
        streamState.textContent = 'disconnected';
        streamState.className = 'stream-state';
      } else {
        streamState.textContent = 'reconnecting…';
      }
    };
  }

  function closeStream() {
    if (source) source.close();
    source = null;
  }

  let loadingOlder = false;
  olderBtn.addEventListener('click', async () => {
    if (loadingOlder || !(view.firstSeq > 1)) return;
    loadingOlder = true;
    olderBtn.disabled = true;
    try {
      const until = view.firstSeq - 1; // seqs are gap-free, so the page before is since..until
      const since = Math.max(0, until - PAGE);
      const page = await api.logs(id, since, until - since);
      await new Promise((resolve) => view.prepend(page.lines || [], resolve));
    } catch (error) {
      showError(msg, error);
    } finally {
      loadingOlder = false;
      olderBtn.disabled = false;
      updateToolbar();
    }
  });

  progressToggle.addEventListener('change', () => view.setDisplay({ showProgress: progressToggle.checked }));
  stampToggle.addEventListener('change', () => view.setDisplay({ timestamps: stampToggle.checked }));
  pauseBtn.addEventListener('click', () => view.setPaused(!view.paused));
  liveBtn.addEventListener('click', async () => {
    view.setPaused(false);
    if (view.detached) {
      try { await openTail(); } catch (error) { showError(msg, error); }
    } else {
      view.scrollToEnd();
    }
  });

  let hits = [];
  let hitIndex = -1;
  function runSearch(step) {
    const text = searchInput.value;
    if (!text) { hits = []; hitIndex = -1; searchCount.textContent = ''; view.clearSelection(); return; }
    if (step === 0) {
      hits = view.find(text);
      hitIndex = hits.length ? hits.length - 1 : -1; // start from the newest match
    } else if (hits.length) {
      hitIndex = (hitIndex + step + hits.length) % hits.length;
    }
    if (hitIndex < 0) {
      searchCount.textContent = `no match in ${view.lines.length.toLocaleString()} loaded lines`;
      view.clearSelection();
      return;
    }
    searchCount.textContent = `${hitIndex + 1} / ${hits.length}`;
    view.reveal(hits[hitIndex], text);
  }
  let searchTimer = null;
  searchInput.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => runSearch(0), 150);
  });
  searchInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      if (!hits.length) runSearch(0);
      else runSearch(e.shiftKey ? 1 : -1);
    }
    if (e.key === 'Escape') { searchInput.value = ''; runSearch(0); }
  });
  prevBtn.addEventListener('click', () => (hits.length ? runSearch(-1) : runSearch(0)));
  nextBtn.addEventListener('click', () => (hits.length ? runSearch(1) : runSearch(0)));

  ticker = setInterval(() => {
    if (run && !FINAL.has(run.status)) {
      const d = meta.querySelector('.meta-duration dd');
      if (d) d.textContent = fmtDuration(runDuration(run));
    }
  }, 1000);

  /** Script names; a script newer than the cached list is looked up again. */
  async function loadScripts(force) {
    const map = await scriptsById(force);
    if (destroyed) return;
    if (!(run?.script_id && scripts.has(run.script_id) && !map.has(run.script_id))) scripts = map;
    renderHeader();
  }

  loadScripts(false);
  openTail(Number.parseInt(hashParams().get('seq') || '', 10) || 0).catch((error) => {
    showError(msg, error);
    if (error.status === 404) clear(termBox, h('p.empty-state', {}, 'This run does not exist (it may have been deleted). ', h('a', { href: '#/' }, 'Back to the dashboard')));
  });
  hideMsg(msg);

  return {
    destroy() {
      destroyed = true;
      closeStream();
      clearInterval(ticker);
      view.destroy();
      document.title = 'scriptd';
    },
  };
}
