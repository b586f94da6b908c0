// The log terminal: xterm.js showing a window of a run's lines (bounded), fed by pages and live lines.
// The model (this.lines) mirrors exactly what the terminal holds, so search can map a line to a row.

import { stripAnsi } from './dom.js';

export const MAX_LINES = 10_000;
const MIRROR_LINES = 200;
const GUTTER = 2; // characters written before each line
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

function format(line) {
  return (line.stream === 'stderr' ? ERR_MARK : OUT_MARK) + clean(line.line) + '\x1b[0m\r\n';
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
    this.resizeObserver = new ResizeObserver(() => this.safeFit());
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

  /** Replaces everything with these lines (a fresh tail); calls done() once they are on screen. */
  reset(lines, done) {
    this.lines = lines.slice(-MAX_LINES);
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
    if (this.paused) {
      this.pending += lines.length;
    } else {
      for (const line of lines) this.buffer += format(line);
      this.scheduleFlush();
    }
    if (this.lines.length > MAX_LINES + 1000) this.lines.splice(0, this.lines.length - MAX_LINES);
    this.onChange();
  }

  /** Adds older lines in front, keeping the top line where it was on screen. */
  prepend(lines, done) {
    if (!lines.length) { if (done) done(); return; }
    this.flushNow();
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
    for (const line of this.lines) data += format(line);
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
        for (const line of this.lines.slice(-n)) this.buffer += format(line);
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

  /** The buffer row where model line i starts (walks wrapped rows up from the last written row). */
  rowOf(index) {
    const b = this.term.buffer.active;
    let row = b.baseY + b.cursorY - 1;
    let logical = this.lines.length - 1 - (this.paused ? this.pending : 0);
    while (row >= 0) {
      const start = !b.getLine(row)?.isWrapped;
      if (start) {
        if (logical === index) return row;
        logical--;
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
      if (stripAnsi(this.lines[i].line).toLowerCase().includes(needle)) hits.push(i);
    }
    return hits;
  }

  /** Scrolls to and selects the match of text in model line i. */
  reveal(index, text) {
    const row = this.rowOf(index);
    const plain = stripAnsi(clean(this.lines[index].line));
    const col = Math.max(0, plain.toLowerCase().indexOf(text.toLowerCase())) + GUTTER;
    this.term.scrollToLine(Math.max(0, row - Math.floor(this.term.rows / 2)));
    this.term.select(col % this.term.cols, row + Math.floor(col / this.term.cols), text.length);
    this.checkFollowing();
  }

  clearSelection() {
    this.term.clearSelection();
  }

  updateMirror() {
    const shown = this.lines.length - (this.paused ? this.pending : 0);
    const tail = this.lines.slice(Math.max(0, shown - MIRROR_LINES), shown);
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
