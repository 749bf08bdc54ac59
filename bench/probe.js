/**
 * Preloaded into a measured child (`node --import ./bench/probe.js …`): at exit it writes the process's
 * own resource usage (CPU, peak RSS) and its Redis round trips to $BENCH_PROBE_FILE as JSON.
 *
 * Round trips are counted on the client: every command ioredis sends on its own is one; a pipeline or
 * MULTI/EXEC sent in one write is one, whatever its length. Commands are counted too, by name.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  const trips = { roundTrips: 0, commands: 0, byCommand: /** @type {Record<string, number>} */ ({}) };
  if (process.env.BENCH_PROBE_REDIS !== '0') {
    const { Redis } = createRequire(import.meta.url)('ioredis');
    const send = Redis.prototype.sendCommand;
    const pipelines = new WeakSet();
    Redis.prototype.sendCommand = function (/** @type {any} */ command, /** @type {any} */ stream) {
      trips.commands++;
      const name = String(command?.name ?? '?');
      trips.byCommand[name] = (trips.byCommand[name] ?? 0) + 1;
      if (!stream?.isPipeline) trips.roundTrips++;
      else if (!pipelines.has(stream)) {
        pipelines.add(stream);
        trips.roundTrips++;
      }
      return send.apply(this, [command, stream]);
    };
  }
  const started = Date.now();
  // What the memory is at its largest: V8 heap vs buffers outside it.
  /** @type {NodeJS.MemoryUsage | null} */
  let atPeak = null;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (!atPeak || m.rss > atPeak.rss) atPeak = m;
  }, 500);
  sampler.unref();
  process.on('exit', () => {
    const u = process.resourceUsage();
    // CPU of the children this process started and waited for (crawl's private redis-server), from
    // /proc/self/stat cutime + cstime, in clock ticks (USER_HZ, 100 on Linux).
    let childrenCpuS = null;
    try {
      const stat = readFileSync('/proc/self/stat', 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      childrenCpuS = (Number(f[13]) + Number(f[14])) / 100;
    } catch {}
    writeFileSync(
      file,
      JSON.stringify({
        userCpuS: u.userCPUTime / 1e6,
        systemCpuS: u.systemCPUTime / 1e6,
        maxRssMb: u.maxRSS / 1024,
        wallS: (Date.now() - started) / 1000,
        childrenCpuS,
        redis: trips,
        memoryAtPeakMb: atPeak
          ? Object.fromEntries(Object.entries(atPeak).map(([k, v]) => [k, Math.round(v / 1048576)]))
          : null,
      }),
    );
  });
}
