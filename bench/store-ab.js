#!/usr/bin/env node
/**
 * Compares the store writer (PageWriter) of several builds in one process, batch by batch: each batch of the
 * growth bench's farm-like records (bench/store-growth.js, made afresh for each build) is written by every
 * build in turn (the order rotating), each into its own database, and the CPU time of each write is added to
 * its build. A load that drifts weighs on all builds alike: the comparison that holds on a busy shared machine.
 * The records reach each writer as the store process gets them, parsed from JSON (fresh strings, none shared).
 * --store-phase: the records of `bench/run.js --only store` instead (storePhaseRecords: links repeat, 100 hosts).
 * --crawl-phase: the records of `bench/run.js --only user` as its in-process writer gets them (crawlPhaseRecords:
 * extracted from the farm's bytes afresh for each build, objects handed over without JSON).
 * --flat-urls <name>: with --crawl-phase, the build named so (it may be given twice under two names) gets its link
 * URLs as flat strings (copied, outside the timed write), where the extractor hands most as concatenations: what
 * the writer would gain from flat strings (hashing a concatenation copies it first).
 * Usage: node bench/store-ab.js [--pages 6000] [--sites 1000] [--batch 500] [--store-phase | --crawl-phase]
 *        [--flat-urls name] name=<dir with dist/> ...
 *        (the first build's extractor makes the records)
 */
import { rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crawlPhaseRecords, growthRecords, storePhaseRecords } from './store-growth.js';

const arg = (/** @type {string} */ name, /** @type {number} */ dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const pages = arg('--pages', 6000);
const sites = arg('--sites', 1000);
const batchSize = arg('--batch', 500);
const builds = process.argv
  .slice(2)
  .filter((a) => a.includes('='))
  .map((a) => {
    const [name, dir] = a.split('=');
    return { name, dir: resolve(dir), cpuUs: 0, lateCpuUs: 0, writer: null, db: null, file: '' };
  });
if (builds.length === 0) throw new Error('give builds as name=<dir>');
const load = (/** @type {string} */ dir, /** @type {string} */ p) =>
  import(pathToFileURL(join(dir, 'dist', p)).href);
const { extract, extractUtf8 } = await load(builds[0].dir, 'extract/index.js');
const storePhase = process.argv.includes('--store-phase');
const crawlPhase = process.argv.includes('--crawl-phase');
const flatAt = process.argv.indexOf('--flat-urls');
const flatUrls = flatAt > 0 ? process.argv[flatAt + 1] : null;
/** @param {any} r */
const flatten = (r) => {
  for (const l of r.meta.links) l.url = JSON.parse(JSON.stringify(l.url));
  return r;
};
const record = crawlPhase
  ? crawlPhaseRecords(extractUtf8)
  : storePhase
    ? storePhaseRecords(extract, pages)
    : growthRecords(extract, sites);
for (const b of builds) {
  const { openDb } = await load(b.dir, 'store/db.js');
  const { PageWriter } = await load(b.dir, 'store/writer.js');
  b.file = join(tmpdir(), `metacrawl-store-ab-${process.pid}-${b.name}.db`);
  for (const x of ['', '-wal', '-shm']) rmSync(b.file + x, { force: true });
  b.db = openDb(b.file);
  b.writer = new PageWriter(b.db);
}
const load0 = loadavg()[0];
let k = 0;
for (let i = 0; i < pages; i += batchSize, k++) {
  const n = Math.min(batchSize, pages - i);
  for (let j = 0; j < builds.length; j++) {
    const b = builds[(j + k) % builds.length];
    const batch = Array.from({ length: n }, (_, x) =>
      crawlPhase
        ? b.name === flatUrls
          ? flatten(record(i + x))
          : record(i + x)
        : JSON.parse(JSON.stringify(record(i + x))),
    );
    const c = process.cpuUsage();
    b.writer.writeBatch(batch);
    const d = process.cpuUsage(c);
    b.cpuUs += d.user + d.system;
    // After the first third: the deferred indexes are dropped, the memories full.
    if (i >= pages / 3) b.lateCpuUs += d.user + d.system;
  }
}
const late = pages - Math.ceil(pages / 3 / batchSize) * batchSize;
for (const b of builds) {
  b.db.close();
  for (const x of ['', '-wal', '-shm']) rmSync(b.file + x, { force: true });
  process.stdout.write(
    `${b.name.padEnd(10)} ${(b.cpuUs / 1000 / pages).toFixed(3)} CPU ms/page overall, ${(b.lateCpuUs / 1000 / late).toFixed(3)} after the first third (${Math.round(late / (b.lateCpuUs / 1e6))} pages per CPU s)\n`,
  );
}
process.stdout.write(
  `${pages} pages of ${crawlPhase ? 'the crawl phase' : storePhase ? 'the store phase' : `${sites} sites`}, batches of ${batchSize}; load average ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}\n`,
);
