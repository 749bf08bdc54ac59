/**
 * Live progress: a bar on a terminal, one line every 10 s otherwise, nothing with --no-progress. While the bar
 * shows, everything else meant for the terminal goes through `out`, which clears the bar's line, writes the
 * text and redraws the bar below it, so log lines never run into the bar.
 */
import { Writable } from 'node:stream';

export interface ProgressSnapshot {
  done: number;
  total: number;
  ok: number;
  failed: number;
  delayed: number;
}

export interface Progress {
  update(s: ProgressSnapshot): void;
  stop(): void;
  /** Text for the terminal (log lines, messages): written above the bar, never into it. */
  readonly out: NodeJS.WritableStream;
}

/** pages/s over a sliding window of the last `windowMs`. */
export class RateWindow {
  private readonly samples: Array<[number, number]> = [];
  constructor(private readonly windowMs = 10_000) {}
  push(at: number, done: number): number {
    this.samples.push([at, done]);
    while (this.samples.length > 2 && at - this.samples[0][0] > this.windowMs) this.samples.shift();
    const [t0, d0] = this.samples[0];
    return at > t0 ? ((done - d0) * 1000) / (at - t0) : 0;
  }
}

function eta(remaining: number, rate: number): string {
  if (rate <= 0 || remaining <= 0) return remaining <= 0 ? '0s' : '?';
  const s = Math.round(remaining / rate);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${s % 60}s`
      : `${s}s`;
}

/** Off a terminal, a progress line at most this often (the caller may pass a shorter one: tests do). */
export const PROGRESS_INTERVAL_MS = 10_000;

const BAR_WIDTH = 40;

function barText(s: ProgressSnapshot, rate: number): string {
  const filled = s.total > 0 ? Math.round(Math.min(1, s.done / s.total) * BAR_WIDTH) : 0;
  const bar = '\u2588'.repeat(filled) + '\u2591'.repeat(BAR_WIDTH - filled);
  return ` ${bar} ${s.done}/${s.total} | ok ${s.ok} | failed ${s.failed} | delayed ${s.delayed} | ${rate.toFixed(1)} pages/s | ETA ${eta(s.total - s.done, rate)}`;
}

export function createProgress(
  mode: 'bar' | 'lines' | 'none',
  stream: NodeJS.WritableStream,
  intervalMs = PROGRESS_INTERVAL_MS,
): Progress {
  if (mode === 'none') return { update() {}, stop() {}, out: stream };
  const window = new RateWindow();
  if (mode === 'bar') return terminalBar(stream as NodeJS.WritableStream & { columns?: number }, window);
  let last = 0;
  // The newest snapshot not printed yet: stop() prints it, so the last line always shows the final numbers.
  let unprinted: string | null = null;
  return {
    update(s) {
      const now = Date.now();
      const rate = window.push(now, s.done);
      unprinted = `progress: ${s.done}/${s.total} done, ${s.ok} ok, ${s.failed} failed, ${s.delayed} delayed, ${rate.toFixed(1)} pages/s, ETA ${eta(s.total - s.done, rate)}\n`;
      if (now - last < intervalMs) return;
      last = now;
      stream.write(unprinted);
      unprinted = null;
    },
    stop() {
      if (unprinted !== null) stream.write(unprinted);
      unprinted = null;
    },
    out: stream,
  };
}

/**
 * The bar is the terminal's last line: drawn with `\r` and erase-to-end-of-line, never wider than the
 * terminal (a wrapped line could not be redrawn in place). Text for `out` is written whole lines at a time.
 */
function terminalBar(stream: NodeJS.WritableStream & { columns?: number }, window: RateWindow): Progress {
  let shown: string | null = null;
  let partial = '';
  const toWidth = (text: string) => {
    const cols = stream.columns;
    return cols && cols > 1 && text.length >= cols ? text.slice(0, cols - 1) : text;
  };
  const above = (chunk: string) => {
    partial += chunk;
    const end = partial.lastIndexOf('\n');
    if (end < 0) return;
    const lines = partial.slice(0, end + 1);
    partial = partial.slice(end + 1);
    stream.write(shown === null ? lines : `\r\x1b[K${lines}${shown}\x1b[K`);
  };
  const out = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _enc, cb) {
      above(String(chunk));
      cb();
    },
  });
  return {
    update(s) {
      shown = toWidth(barText(s, window.push(Date.now(), s.done)));
      stream.write(`\r${shown}\x1b[K`);
    },
    stop() {
      if (partial) above('\n');
      if (shown !== null) stream.write(`\r${shown}\x1b[K\n`);
      shown = null;
    },
    out,
  };
}
