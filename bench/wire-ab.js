#!/usr/bin/env node
/**
 * The results stream's two record forms compared in one process, in turn, on `bench/run.js --only store`'s farm
 * records: (1) the store writer's path per record, a StreamEntry over the entry's Buffer as Redis returns it,
 * parsed and written (the old build's over the JSON `r` form, the new build's over the packed `p` form), each
 * build into its own database, batch by batch with the order rotating; (2) the fleet worker's serialization per
 * page: the old build's metaHash(meta) + JSON.stringify(record), the new build's metaHashFields text hashed and
 * packed (recordField). CPU time (process.cpuUsage), so a busy shared machine weighs on both alike.
 * Usage: node bench/wire-ab.js [--pages 10000] old=<dir with dist/> new=<dir with dist/>
 */
import { rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { storePhaseRecords } from './store-growth.js';

const i = process.argv.indexOf('--pages');
const pages = i > 0 ? Number(process.argv[i + 1]) : 10_000;
const dirOf = (/** @type {string} */ name) => {
  const a = process.argv.find((x) => x.startsWith(`${name}=`));
  if (!a) throw new Error(`give ${name}=<dir with dist/>`);
  return resolve(a.slice(name.length + 1));
};
const L = (/** @type {string} */ dir, /** @type {string} */ p) =>
  import(pathToFileURL(join(dir, 'dist', p)).href);
const OLD = dirOf('old');
const NEW = dirOf('new');
const { extract } = await L(OLD, 'extract/index.js');
const { recordField } = await L(NEW, 'stream.js');
const record = storePhaseRecords(extract, pages);
console.log(
  `load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; ${pages} records`,
);

// (1) the store writer
const builds = [];
for (const [name, dir, packed] of /** @type {[string, string, boolean][]} */ ([
  ['old', OLD, false],
  ['new', NEW, true],
])) {
  const { openDb } = await L(dir, 'store/db.js');
  const { PageWriter } = await L(dir, 'store/writer.js');
  const { StreamEntry } = await L(dir, 'store/entries.js');
  const file = join(tmpdir(), `wire-ab-${name}-${process.pid}.db`);
  const db = openDb(file);
  builds.push({ name, packed, db, file, writer: new PageWriter(db), StreamEntry, cpuUs: 0 });
}
let turn = 0;
let bytes = { json: 0, packed: 0 };
for (let start = 0; start < pages; start += 500) {
  const recs = [];
  for (let k = start; k < Math.min(pages, start + 500); k++) recs.push(record(k));
  const json = recs.map((r) => Buffer.from(JSON.stringify(r)));
  const packed = recs.map((r) => Buffer.from(recordField(r)[1]));
  if (start === 0) bytes = { json: json[0].length, packed: packed[0].length };
  for (const b of turn++ % 2 === 0 ? builds : [...builds].reverse()) {
    const items = (b.packed ? packed : json).map((buf, k) =>
      b.packed
        ? new b.StreamEntry(String(k), 'bench-store', buf, true)
        : new b.StreamEntry(String(k), 'bench-store', buf),
    );
    const t = process.cpuUsage();
    b.writer.writeBatch(items);
    const u = process.cpuUsage(t);
    b.cpuUs += u.user + u.system;
    const bad = items.find((e) => e.error);
    if (bad) throw new Error(`${b.name}: ${bad.error.message}`);
  }
}
for (const b of builds) {
  b.db.close();
  for (const s of ['', '-wal', '-shm']) rmSync(b.file + s, { force: true });
}
const [o, n] = builds.map((b) => b.cpuUs / pages);
console.log(
  `store writer, parse + write: old ${o.toFixed(1)} µs/record (${bytes.json} B JSON), new ${n.toFixed(1)} µs/record (${bytes.packed} B packed), new/old ${(n / o).toFixed(3)}`,
);

// (2) the worker's serialization
const hOld = await L(OLD, 'hashes.js');
const hNew = await L(NEW, 'hashes.js');
const sample = Array.from({ length: 2000 }, (_, k) => record(k));
const ways = {
  old: (/** @type {any} */ r) => {
    r.metaHash = hOld.metaHash(r.meta);
    return JSON.stringify(r).length;
  },
  new: (/** @type {any} */ r) => {
    const fields = JSON.stringify(hNew.metaHashFields(r.meta));
    r.metaHash = hNew.metaHashOfJson(fields);
    return recordField(r, fields)[1].length;
  },
};
const cpu = { old: 0, new: 0 };
for (let rep = 0; rep < 10; rep++) {
  for (const k of /** @type {('old' | 'new')[]} */ (rep % 2 ? ['new', 'old'] : ['old', 'new'])) {
    const t = process.cpuUsage();
    for (const r of sample) ways[k](r);
    const u = process.cpuUsage(t);
    if (rep >= 2) cpu[k] += u.user + u.system;
  }
}
const per = (/** @type {'old' | 'new'} */ k) => cpu[k] / (8 * sample.length);
console.log(
  `worker, hash + serialize: old ${per('old').toFixed(1)} µs/page, new ${per('new').toFixed(1)} µs/page, saved ${(per('old') - per('new')).toFixed(1)} µs/page`,
);
