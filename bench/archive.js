/**
 * The `archive` phase of bench/run.js: what keeping the bytes costs and what it buys.
 *
 * - `metacrawl crawl` as a user runs it, with and without `--archive`, interleaved (off, on, on, off, …) so a
 *   machine whose load drifts weighs on both alike: pages/s from spawn to exit, CPU per page (the crawl and its
 *   redis-server), the load average at each run; archive bytes per page.
 * - `metacrawl reextract --as` over the first archive: pages/s and CPU per page, against the extractor's
 *   in-memory rate on the same farm pages (bench/extract-bench.js).
 * - `exportCrawl` (the store's export, in this process, on the client core) of that crawl in every format:
 *   rows/s, CPU µs per row and file size per table.
 * Figures, not pass/fail.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, ROOT, runMeasured } from './lib.js';

const round = (/** @type {number | null | undefined} */ x, d = 1) =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d;
const median = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);

/** Total size and count of the files of a directory. */
function dirBytes(/** @type {string} */ dir) {
  let bytes = 0;
  let files = 0;
  for (const f of readdirSync(dir)) {
    bytes += statSync(join(dir, f)).size;
    files++;
  }
  return { bytes, files };
}

/** The export variants the phase measures: format, gzip, and the tables they cover. */
const VARIANTS = [
  { format: 'jsonl', gzip: false, ext: 'jsonl' },
  { format: 'jsonl', gzip: true, ext: 'jsonl.gz' },
  { format: 'csv', gzip: false, ext: 'csv' },
  { format: 'csv', gzip: true, ext: 'csv.gz' },
  { format: 'parquet', gzip: false, ext: 'parquet' },
];
const TABLES = ['pages', 'links', 'meta', 'jsonld', 'nested'];

/**
 * @param {{
 *   crawl: (name: string, urls: string[], extra: string[]) => Promise<any>,
 *   urls: string[], pairs: number, work: string, log: (s: string) => void,
 *   extractFarm: { pagesPerS: number, meanMs: number } | null, profile: boolean,
 * }} o
 */
export async function runArchive(o) {
  /** @type {{ archive: boolean, name: string, pagesPerS: number, cpuMsPerPage: number, crawlCpuMsPerPage: number, pages: number, wallS: number, load: number[], archiveBytes?: number, archiveFiles?: number }[]} */
  const runs = [];
  for (let i = 0; i < o.pairs; i++) {
    for (const archive of i % 2 === 0 ? [false, true] : [true, false]) {
      const name = `bench-archive-${archive ? 'on' : 'off'}-${i}`;
      const dir = join(o.work, `${name}-warc`);
      const load = loadavg();
      o.log(
        `archive: ${o.urls.length} pages ${archive ? 'with' : 'without'} --archive (load ${load.join(' ')})`,
      );
      const r = await o.crawl(name, o.urls, archive ? ['--archive', dir] : []);
      const run = {
        archive,
        name,
        pages: r.pages,
        wallS: r.wallS,
        pagesPerS: r.summaryPagesPerS,
        cpuMsPerPage: r.cpuWithChildrenSPer1k,
        crawlCpuMsPerPage: r.cpuSPer1k,
        load,
      };
      if (archive)
        Object.assign(run, { archiveBytes: dirBytes(dir).bytes, archiveFiles: dirBytes(dir).files });
      runs.push(run);
    }
  }
  const off = runs.filter((r) => !r.archive);
  const on = runs.filter((r) => r.archive);
  const rateRatio = median(on.map((r) => r.pagesPerS)) / median(off.map((r) => r.pagesPerS));
  const cpuRatio = median(on.map((r) => r.cpuMsPerPage)) / median(off.map((r) => r.cpuMsPerPage));
  const bytesPerPage = median(on.map((r) => (r.archiveBytes ?? 0) / r.pages));

  // Re-extraction of the first archived crawl into a new crawl of the same database.
  const first = on[0];
  const db = join(o.work, `${first.name}.db`);
  const dir = join(o.work, `${first.name}-warc`);
  const reLoad = loadavg();
  o.log(`archive: reextract ${first.name} (load ${reLoad.join(' ')})`);
  const re = await runMeasured(
    [BIN, 'reextract', '--crawl', first.name, '--from-archive', dir, '--as', `${first.name}-re`, '--db', db],
    {
      probeFile: join(o.work, 'reextract.probe.json'),
      env: { BENCH_PROBE_REDIS: '0' },
      // Every core, as a user runs it: `--workers auto` extracts on one thread per core, the writer beside them.
      core: null,
      nodeFlags: o.profile ? ['--cpu-prof', '--cpu-prof-dir', join(o.work, 'reextract-profile')] : [],
    },
  );
  if (re.code !== 0) throw new Error(`reextract failed (${re.code}): ${re.stderr.slice(-800)}`);
  const reCount = Number(/: (\d+) pages extracted again/.exec(re.stdout)?.[1] ?? Number.NaN);
  const reCpuS = re.probe ? re.probe.userCpuS + re.probe.systemCpuS : null;
  const reextract = {
    pages: reCount,
    // As the command reports it (from its start to its end) and from spawn to exit (start-up included).
    pagesPerS: Number(/\((\d+) pages\/s\)/.exec(re.stdout)?.[1] ?? Number.NaN),
    pagesPerSWall: round(reCount / re.wallS),
    cpuMsPerPage: round(reCpuS === null ? null : (reCpuS / reCount) * 1000, 2),
    cpuPagesPerS: round(reCpuS === null ? null : reCount / reCpuS, 0),
    peakRssMb: round(re.probe?.maxRssMb),
    load: reLoad,
    profileDir: o.profile ? join(o.work, 'reextract-profile') : undefined,
  };

  let extractor = o.extractFarm;
  if (!extractor) {
    o.log('archive: the extractor in memory (bench/extract-bench.js --set farm)');
    const x = await runMeasured([`${ROOT}bench/extract-bench.js`, '--set', 'farm', '--rounds', '2'], {
      probeFile: join(o.work, 'archive-extract.probe.json'),
      env: { BENCH_PROBE_REDIS: '0' },
    });
    if (x.code !== 0) throw new Error(`extract bench failed: ${x.stderr.slice(-500)}`);
    extractor = JSON.parse(x.stdout.trim().split('\n').pop() ?? '{}').farm;
  }
  const target = extractor ? extractor.pagesPerS / 1.5 : null;

  // Exports of the same crawl, in this process.
  const { exportCrawl } = await import(pathToFileURL(`${ROOT}dist/store/index.js`).href);
  const exportLoad = loadavg();
  o.log(`archive: exports of ${first.name} (load ${exportLoad.join(' ')})`);
  /** @type {{ variant: string, table: string, rows: number, bytes: number, s: number, cpuUsPerRow: number | null }[]} */
  const exports = [];
  for (const v of VARIANTS) {
    for (const table of TABLES) {
      if (table === 'nested' && v.format !== 'jsonl') continue;
      const out = join(o.work, `export-${table}.${v.ext}`);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const [res] = await exportCrawl({
        db,
        crawl: first.name,
        format: v.format,
        table: table === 'nested' ? 'pages' : table,
        nested: table === 'nested',
        out,
        gzip: v.gzip,
        stdout: process.stdout,
      });
      const s = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      exports.push({
        variant: v.ext,
        table,
        rows: res.rows,
        bytes: statSync(out).size,
        s: round(s, 2) ?? 0,
        cpuUsPerRow: round((cpu.user + cpu.system) / Math.max(1, res.rows), 1),
      });
    }
  }

  const result = {
    pages: o.urls.length,
    runs,
    withArchiveRateRatio: round(rateRatio, 3),
    withArchiveCpuRatio: round(cpuRatio, 3),
    archiveBytesPerPage: round(bytesPerPage, 0),
    reextract,
    extractorInMemoryPagesPerS: extractor?.pagesPerS ?? null,
    reextractTargetPagesPerS: round(target),
    exports,
    exportLoad,
  };
  const rate = (/** @type {typeof runs} */ rs) => median(rs.map((r) => r.pagesPerS));
  const cpu = (/** @type {typeof runs} */ rs) => round(median(rs.map((r) => r.cpuMsPerPage)), 2);
  const each = (/** @type {typeof runs} */ rs) =>
    rs.map((r) => `${r.pagesPerS}/s ${r.cpuMsPerPage} ms at load ${r.load[0]}`).join(', ');
  const rows = [
    {
      what: `crawl (as users run it) without --archive, ${o.urls.length} distinct farm pages, median of ${off.length}`,
      rate: round(rate(off)),
      cpu: cpu(off),
      note: `runs: ${each(off)} (CPU s/1k: crawl + its redis-server)`,
    },
    {
      what: `crawl (as users run it) with --archive, median of ${on.length}`,
      rate: round(rate(on)),
      cpu: cpu(on),
      note: `${round(rateRatio, 3)}× the pages/s without (target ≥ 0.9), ${round(cpuRatio, 3)}× the CPU per page; archive ${round(bytesPerPage / 1024, 1)} KB/page; runs: ${each(on)}`,
    },
    {
      what: 'reextract --as from the archive',
      rate: reextract.pagesPerS,
      cpu: reextract.cpuMsPerPage,
      rss: reextract.peakRssMb,
      note: `${reextract.pages} pages; ${reextract.pagesPerSWall}/s from spawn to exit, ${reextract.cpuPagesPerS}/s of CPU; extractor in memory ${extractor?.pagesPerS ?? '?'}/s of CPU → target ≥ ${round(target)}/s; load ${reLoad[0]}`,
    },
    ...VARIANTS.map((v) => {
      const mine = exports.filter((e) => e.variant === v.ext);
      const rowsN = mine.reduce((a, e) => a + e.rows, 0);
      const s = mine.reduce((a, e) => a + e.s, 0);
      return {
        what: `export ${v.ext} (every table${v.format === 'jsonl' ? ' + nested' : ''})`,
        rate: round(rowsN / s, 0),
        unit: 'rows/s',
        note: mine
          .map(
            (e) => `${e.table} ${e.rows} rows ${round(e.rows / e.s, 0)}/s ${round(e.bytes / 1048576, 2)} MB`,
          )
          .join('; '),
      };
    }),
  ];
  return { result, rows };
}
