/** Live progress: a bar on a terminal (cli-progress), one line every 10 s otherwise, nothing with --no-progress. */
import cliProgress from 'cli-progress';

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

/** The line interval; METACRAWL_PROGRESS_INTERVAL_MS shortens it (tests). */
function defaultInterval(): number {
  const v = Number(process.env.METACRAWL_PROGRESS_INTERVAL_MS);
  return Number.isInteger(v) && v > 0 ? v : 10_000;
}

export function createProgress(
  mode: 'bar' | 'lines' | 'none',
  stream: NodeJS.WritableStream,
  intervalMs = defaultInterval(),
): Progress {
  if (mode === 'none') return { update() {}, stop() {} };
  const window = new RateWindow();
  if (mode === 'bar') {
    const bar = new cliProgress.SingleBar(
      {
        stream: stream as NodeJS.WritableStream & { isTTY: boolean },
        format:
          ' {bar} {value}/{total} | ok {ok} | failed {failed} | delayed {delayed} | {rate} pages/s | ETA {etaText}',
        hideCursor: true,
        clearOnComplete: false,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(s) {
        const rate = window.push(Date.now(), s.done);
        const payload = {
          ok: s.ok,
          failed: s.failed,
          delayed: s.delayed,
          rate: rate.toFixed(1),
          etaText: eta(s.total - s.done, rate),
        };
        if (!started) {
          bar.start(Math.max(s.total, 1), s.done, payload);
          started = true;
        } else {
          bar.setTotal(Math.max(s.total, 1));
          bar.update(s.done, payload);
        }
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
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
  };
}
