// The log terminal: xterm.js showing a window of a run's lines (bounded), fed by pages and live lines.
// The model (this.lines) holds the loaded window; the terminal shows the lines of it that are shown
// (::progress marker lines only on request), so search maps a shown line to its row.

import { stripAnsi } from './dom.js';

export const MAX_LINES = 10_000;
const MIRROR_LINES = 200;
const GUTTER = 2; // characters written before each line
const STAMP = 13; // 'HH:MM:SS.mmm ' written before the gutter when timestamps are on
const STAMP_COLOUR = '\x1b[38;5;244m';
const OUT_MARK = '\x1b[38;5;238m│\x1b[0m ';
const ERR_MARK = '\x1b[1;31m┃\x1b[0m ';

// Only SGR (colour) sequences may reach the terminal: a cursor move or a screen clear in a log line
// would scramble the view.
// eslint-disable-next-line no-control-regex
const NON_SGR = /\x1b\[[0-?]*[ -/]*[@-ln-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\^_]|[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]/g;

function clean(text) {
  let t = text.endsWith('\r') ? text.slice(0, -1) : text;
  const cr = t.lastIndexOf('\r'); // a progress bar redrawn with \r: show what a terminal would show last
  if (cr >= 0) t = t.slice(cr + 1);
  return t.replace(NON_SGR, '');
}

// The exact form the server reads a run's progress from (0..100).
const PROGRESS_PREFIX = '::progress ';
const PROGRESS_LINE = /^::progress (\d{1,3})$/;

/** Whether a log line is a progress marker, by the server's rule. */
export function isProgressLine(line) {
  const m = PROGRESS_LINE.exec(line.line);
  return m !== null && Number(m[1]) <= 100;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** A line's time as HH:MM:SS.mmm in the browser's zone (blank when the line has none). */
function stamp(ts) {
  const d = ts ? new Date(ts) : null;
  if (!d || Number.isNaN(d.getTime())) return ' '.repeat(STAMP);
  return `${STAMP_COLOUR}${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}\x1b[0m `;
}

export class LogView {
  /** onChange() is called when following/paused/pending/range state changes. */
  constructor(container, { onChange = () => {} } = {}) {
    this.onChange = onChange;
    this.lines = [];
    this.paused = false;
    this.pending = 0; // lines received while paused
    this.detached = false; // the newest lines were dropped to make room for older ones
    this.following = true;
    this.showProgress = false; // ::progress marker lines are hidden unless asked for
    this.timestamps = false;
    this.sawProgress = false; // a marker line was among the loaded lines
    this.progress = null; // the value of the newest marker line loaded
    this.buffer = '';
    this.flushTimer = null;
    this.host = document.createElement('div');
    this.host.className = 'term-host';
    this.mirror = document.createElement('pre');
    this.mirror.className = 'sr-only log-mirror';
    this.mirror.id = 'log-mirror';
    this.mirror.setAttribute('aria-label', 'Last lines of the log as text');
    container.append(this.host, this.mirror);

    this.term = new window.Terminal({
      scrollback: MAX_LINES + 2000,
      disableStdin: true,
      convertEol: false,
      cursorBlink: false,
      cursorStyle: 'bar',
      rendererType: 'dom',
      fontFamily: '"JetBrains Mono", "Fira Code", ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
      fontSize: 13,
      lineHeight: 1.15,
      theme: {
        background: '#0a0e13', foreground: '#d3dae3', cursor: '#0a0e13', selection: 'rgba(77, 163, 255, 0.45)',
        black: '#1b2129', red: '#ff6b6b', green: '#3ddc97', yellow: '#f5c451', blue: '#5aa9ff', magenta: '#c792ea',
        cyan: '#4dd0e1', white: '#d3dae3', brightBlack: '#5c6773', brightRed: '#ff8787', brightGreen: '#69f0ae',
        brightYellow: '#ffd866', brightBlue: '#82c4ff', brightMagenta: '#e0a8ff', brightCyan: '#84ffff', brightWhite: '#ffffff',
      },
    });
    this.fit = new window.FitAddon.FitAddon();
    this.term.loadAddon(this.fit);
    this.term.open(this.host);
    this.term.write('\x1b[?25l'); // no cursor: this is a viewer
    this.safeFit();
    this.resizeObserver = new ResizeObserver(() => {
      const following = this.following; // a resize (the header grew, the window turned) keeps the end in view
      this.safeFit();
      if (following) this.scrollToEnd();
    });
    this.resizeObserver.observe(this.host);
    this.term.onScroll(() => this.checkFollowing());
    this.host.addEventListener('wheel', () => setTimeout(() => this.checkFollowing(), 0), { passive: true });
    this.host.querySelector('.xterm-viewport')?.addEventListener('scroll', () => this.checkFollowing(), { passive: true });
  }

  safeFit() {
    if (this.host.clientWidth > 0 && this.host.clientHeight > 0) {
      try { this.fit.fit(); } catch { /* not laid out yet */ }
    }
  }

  get firstSeq() { return this.lines.length ? this.lines[0].seq : null; }
  get lastSeq() { return this.lines.length ? this.lines[this.lines.length - 1].seq : null; }

  /** Whether the terminal shows this line. */
  shown(line) {
    return this.showProgress || !isProgressLine(line);
  }

  /** The terminal text of one line: '' for a hidden line. */
  format(line) {
    if (!this.shown(line)) return '';
    return (this.timestamps ? stamp(line.ts) : '') + (line.stream === 'stderr' ? ERR_MARK : OUT_MARK)
      + clean(line.line) + '\x1b[0m\r\n';
  }

  /** Notes marker lines among these; newest: whether they are the newest lines of the run so far. */
  noteProgress(lines, newest) {
    for (let i = lines.length - 1; i >= 0; i--) {
      if (isProgressLine(lines[i])) {
        this.sawProgress = true;
        if (newest || this.progress === null) this.progress = Number(lines[i].line.slice(PROGRESS_PREFIX.length));
        return;
      }
    }
  }

  /** Shows or hides ::progress marker lines and per-line timestamps (redraws, keeping the end in view). */
  setDisplay({ showProgress = this.showProgress, timestamps = this.timestamps }) {
    if (showProgress === this.showProgress && timestamps === this.timestamps) return;
    this.showProgress = showProgress;
    this.timestamps = timestamps;
    this.flushNow();
    const following = this.following;
    const b = this.term.buffer.active;
    const at = b.baseY > 0 ? b.viewportY / b.baseY : 1; // roughly where a reader scrolled back to
    this.redraw(() => {
      // The emptied buffer clamped the viewport's scrollTop to 0, and that scroll event may still
      // come and move xterm to the top: place the view after it (scroll events run before frames).
      requestAnimationFrame(() => requestAnimationFrame(() => {
        if (following) this.scrollToEnd();
        else this.term.scrollToLine(Math.round(at * this.term.buffer.active.baseY));
        this.checkFollowing();
        this.onChange();
      }));
    });
  }

  /** Replaces everything with these lines (a fresh tail); calls done() once they are on screen. */
  reset(lines, done) {
    this.lines = lines.slice(-MAX_LINES);
    this.progress = null;
    this.noteProgress(this.lines, true);
    this.pending = 0;
    this.detached = false;
    this.redraw(() => {
      this.term.scrollToBottom();
      this.following = true;
      this.onChange();
      if (done) done();
    });
  }

  /** Adds live lines at the end. */
  append(lines) {
    if (!lines.length) return;
    if (this.detached) { // we hold an older window; the owner reloads the tail on "jump to live"
      this.pending += lines.length;
      this.onChange();
      return;
    }
    for (const line of lines) this.lines.push(line);
    this.noteProgress(lines, true);
    if (this.paused) {
      this.pending += lines.length;
    } else {
      for (const line of lines) this.buffer += this.format(line);
      this.scheduleFlush();
    }
    if (this.lines.length > MAX_LINES + 1000) this.lines.splice(0, this.lines.length - MAX_LINES);
    this.onChange();
  }

  /** Adds older lines in front, keeping the top line where it was on screen. */
  prepend(lines, done) {
    if (!lines.length) { if (done) done(); return; }
    this.flushNow();
    this.noteProgress(lines, false);
    this.lines = lines.concat(this.lines);
    if (this.lines.length > MAX_LINES) {
      this.lines.length = MAX_LINES;
      this.detached = true;
    }
    this.pending = 0;
    this.redraw(() => {
      this.term.scrollToLine(Math.max(0, this.rowOf(lines.length) - 1));
      this.checkFollowing();
      if (done) done();
    });
  }

  redraw(done) {
    clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.buffer = '';
    this.term.reset();
    this.term.write('\x1b[?25l');
    let data = '';
    const shown = this.lines.length - (this.paused ? this.pending : 0);
    for (let i = 0; i < shown; i++) data += this.format(this.lines[i]);
    this.term.write(data, () => {
      this.updateMirror();
      if (done) done();
    });
  }

  scheduleFlush() {
    if (this.flushTimer === null) this.flushTimer = setTimeout(() => this.flushNow(), 16);
  }

  flushNow() {
    clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.buffer) return;
    const data = this.buffer;
    this.buffer = '';
    this.term.write(data, () => {
      if (this.following) this.term.scrollToBottom();
      this.updateMirror();
    });
    if (this.lines.length > MAX_LINES + 1000) this.lines.splice(0, this.lines.length - MAX_LINES);
  }

  setPaused(paused) {
    if (this.paused === paused) return;
    this.paused = paused;
    if (!paused && this.pending) {
      const n = this.pending;
      this.pending = 0;
      if (n >= this.lines.length || n > MAX_LINES) {
        this.redraw(() => this.term.scrollToBottom());
      } else {
        for (const line of this.lines.slice(-n)) this.buffer += this.format(line);
        this.flushNow();
      }
    }
    this.onChange();
  }

  /** Scrolls to the newest line and follows again (the owner reloads the tail when detached). */
  scrollToEnd() {
    this.following = true;
    this.term.scrollToBottom();
    this.onChange();
  }

  checkFollowing() {
    const b = this.term.buffer.active;
    const atEnd = b.viewportY >= b.baseY;
    if (atEnd !== this.following) {
      this.following = atEnd;
      this.onChange();
    }
  }

  /**
   * The buffer row where model line i starts (walks wrapped rows up from the last written row); for
   * a hidden line, the row of the nearest shown line before it.
   */
  rowOf(index) {
    const b = this.term.buffer.active;
    let row = b.baseY + b.cursorY - 1;
    const previousShown = (i) => { let j = i; while (j >= 0 && !this.shown(this.lines[j])) j--; return j; };
    let logical = previousShown(this.lines.length - 1 - (this.paused ? this.pending : 0));
    while (row >= 0) {
      const start = !b.getLine(row)?.isWrapped;
      if (start) {
        if (logical <= index) return row;
        logical = previousShown(logical - 1);
      }
      row--;
    }
    return 0;
  }

  /** Indexes of the loaded lines that contain text (case-insensitive, ANSI ignored). */
  find(text) {
    const needle = text.toLowerCase();
    const hits = [];
    const shown = this.lines.length - (this.paused ? this.pending : 0);
    for (let i = 0; i < shown; i++) {
      if (this.shown(this.lines[i]) && stripAnsi(this.lines[i].line).toLowerCase().includes(needle)) hits.push(i);
    }
    return hits;
  }

  /** Scrolls to and selects the match of text in model line i. */
  reveal(index, text) {
    const row = this.rowOf(index);
    const plain = stripAnsi(clean(this.lines[index].line));
    const col = Math.max(0, plain.toLowerCase().indexOf(text.toLowerCase())) + GUTTER + (this.timestamps ? STAMP : 0);
    this.term.scrollToLine(Math.max(0, row - Math.floor(this.term.rows / 2)));
    this.term.select(col % this.term.cols, row + Math.floor(col / this.term.cols), text.length);
    this.checkFollowing();
  }

  clearSelection() {
    this.term.clearSelection();
  }

  updateMirror() {
    const shown = this.lines.length - (this.paused ? this.pending : 0);
    const tail = [];
    for (let i = shown - 1; i >= 0 && tail.length < MIRROR_LINES; i--) {
      if (this.shown(this.lines[i])) tail.push(this.lines[i]);
    }
    tail.reverse();
    this.mirror.textContent = tail.map((l) => (l.stream === 'stderr' ? '[stderr] ' : '') + stripAnsi(clean(l.line))).join('\n');
    this.host.dataset.firstSeq = this.firstSeq ?? '';
    this.host.dataset.lastSeq = tail.length ? tail[tail.length - 1].seq : '';
  }

  focus() {
    this.host.querySelector('.xterm-viewport')?.focus();
  }

  destroy() {
    clearTimeout(this.flushTimer);
    this.resizeObserver.disconnect();
    this.term.dispose();
  }
}
