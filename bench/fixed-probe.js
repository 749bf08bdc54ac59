/**
 * Preloaded into `metacrawl crawl` by bench/fixed-costs.js (`node --import ./bench/fixed-probe.js …`): watches the
 * fetcher's requests through undici's diagnostics channels and, at exit, writes to $FIXED_PROBE_FILE when the first
 * request began and the last one ended (ms since the process started), the CPU used up to each and at exit, and the
 * pages done every 50 ms.
 */
import dc from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';

const file = process.env.FIXED_PROBE_FILE;
if (file) {
  const ms = () => Math.round(performance.now() * 10) / 10;
  const cpuMs = () => {
    const c = process.cpuUsage();
    return Math.round((c.user + c.system) / 100) / 10;
  };
  const t = { firstRequest: null, firstCpu: null, lastDone: null, lastCpu: null, done: 0, inFlight: 0 };
  /** @type {[number, number, number][]} */
  const samples = [];
  dc.subscribe('undici:request:create', () => {
    t.inFlight++;
    if (t.firstRequest === null) {
      t.firstRequest = ms();
      t.firstCpu = cpuMs();
    }
  });
  const end = () => {
    t.inFlight--;
    t.done++;
    t.lastDone = ms();
    t.lastCpu = cpuMs();
  };
  dc.subscribe('undici:request:trailers', end);
  dc.subscribe('undici:request:error', end);
  setInterval(() => samples.push([ms(), t.inFlight, t.done]), 50).unref();
  process.on('exit', () =>
    writeFileSync(file, JSON.stringify({ ...t, exit: ms(), exitCpu: cpuMs(), samples })),
  );
}
