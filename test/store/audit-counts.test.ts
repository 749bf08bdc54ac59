/**
 * Stored audit counts (schema 12): used while the crawl's pages are unchanged, ignored once a page of the crawl
 * (or a page whose links it shares) is written; and the link checks answer the same rows whether "who links to
 * X" comes from link_targets (a finished crawl) or from the link lists (during a crawl).
 */
import { describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/store/db.js';
import {
  AUDIT_COUNTS_MIN_PAGES,
  type AuditFinding,
  type AuditMemo,
  finishWrites,
  runAudit,
  storeAuditCounts,
} from '../../src/store/index.js';
import { advanceLinkTargets } from '../../src/store/indexes.js';

const H = 'https://s.example';

function crawl(db: Db, name: string): number {
  return Number(
    db.prepare("INSERT INTO crawls (name, created_at) VALUES (?, 'now')").run(name).lastInsertRowid,
  );
}

function page(db: Db, crawlId: number, url: string, patch: Record<string, unknown> = {}): number {
  const c = {
    url,
    final_url: url,
    status: 200,
    word_count: 300,
    title: 'A fine title of a decent length here',
    ...patch,
  };
  const cols = Object.keys(c);
  return Number(
    db
      .prepare(
        `INSERT INTO pages (crawl_id, stored_at, attempts, ${cols.join(', ')}) VALUES (?, 'now', 1, ${cols.map(() => '?').join(', ')})`,
      )
      .run(crawlId, ...Object.values(c)).lastInsertRowid,
  );
}

function link(db: Db, from: number, target: string, text: string): void {
  const urlId = db.prepare('INSERT INTO urls (url) VALUES (?)').run(target).lastInsertRowid;
  const textId = db.prepare('INSERT INTO strings (s) VALUES (?)').run(text).lastInsertRowid;
  db.prepare(
    `INSERT INTO link_lists (page_id, links) VALUES (@page, json_array(@link))
     ON CONFLICT (page_id) DO UPDATE SET links = json_insert(links, '$[#]', @link)`,
  ).run({ page: from, link: BigInt(urlId) * 134217728n + BigInt(textId) });
}

const version = (db: Db, id: number) =>
  db.prepare('SELECT pages_version FROM crawls WHERE id = ?').pluck().get(id) as number;
const counts = (db: Db, name: string) =>
  Object.fromEntries(runAudit(db, name, { limit: 0 }).checks.map((c) => [c.id, c.count]));

describe('stored audit counts', () => {
  it('are used while the crawl is unchanged and ignored once one of its pages is written', () => {
    const db = openDb(':memory:');
    const a = crawl(db, 'a');
    const b = crawl(db, 'b');
    const home = page(db, a, `${H}/`);
    page(db, a, `${H}/gone`, { status: 404, error: 'HTTP_4XX', word_count: null });
    link(db, home, `${H}/gone`, 'Gone');
    const live = counts(db, 'a');
    expect(live['broken-links']).toBe(1);
    expect(storeAuditCounts(db)).toEqual(['a', 'b']);
    expect(storeAuditCounts(db)).toEqual([]);
    db.prepare("UPDATE audit_counts SET count = 77 WHERE check_id = 'broken-links'").run();
    expect(counts(db, 'a')['broken-links']).toBe(77);
    // A page of another crawl leaves crawl a's counts standing.
    const va = version(db, a);
    page(db, b, `${H}/b`);
    expect(version(db, a)).toBe(va);
    expect(counts(db, 'a')['broken-links']).toBe(77);
    // Inserted, updated, deleted: each makes them stale.
    for (const write of [
      () => page(db, a, `${H}/new`),
      () => db.prepare("UPDATE pages SET title = 'x' WHERE url = ?").run(`${H}/new`),
      () => db.prepare('DELETE FROM pages WHERE url = ?').run(`${H}/new`),
    ]) {
      storeAuditCounts(db);
      db.prepare("UPDATE audit_counts SET count = 77 WHERE check_id = 'broken-links'").run();
      const before = version(db, a);
      write();
      expect(version(db, a)).toBeGreaterThan(before);
      expect(counts(db, 'a')['broken-links']).toBe(1);
    }
    db.close();
  });

  it("a page sharing an earlier crawl's links goes stale when that row is rewritten", () => {
    const db = openDb(':memory:');
    const a = crawl(db, 'a');
    const b = crawl(db, 'b');
    const owner = page(db, a, `${H}/`);
    page(db, b, `${H}/`, { content_of: owner });
    storeAuditCounts(db);
    const vb = version(db, b);
    db.prepare("UPDATE pages SET title = 'changed' WHERE id = ?").run(owner);
    expect(version(db, b)).toBeGreaterThan(vb);
    db.close();
  });

  it('finishWrites stores them after a session that deferred indexes, not after a trickle', () => {
    const db = openDb(':memory:');
    const a = crawl(db, 'a');
    page(db, a, `${H}/`);
    finishWrites(db, undefined, 1);
    expect(db.prepare('SELECT count(*) FROM audit_counts').pluck().get()).toBe(0);
    link(db, page(db, a, `${H}/p`), `${H}/`, 'Home');
    finishWrites(db, undefined, 1);
    expect(db.prepare('SELECT count(*) FROM audit_counts WHERE crawl_id = ?').pluck().get(a)).toBeGreaterThan(
      29,
    );
    db.close();
  });

  it('are stored only for crawls of at least AUDIT_COUNTS_MIN_PAGES pages (smaller ones count fast live)', () => {
    const db = openDb(':memory:');
    const small = crawl(db, 'small');
    const big = crawl(db, 'big');
    link(db, page(db, small, `${H}/`), `${H}/a`, 'A');
    for (let i = 0; i < 3; i++) page(db, big, `${H}/${i}`);
    // Left behind by the writer, as a crawl that deferred its indexes leaves it.
    db.prepare('UPDATE link_targets_upto SET page_id = 0').run();
    db.prepare('DELETE FROM link_targets').run();
    expect(finishWrites(db, undefined, 3).map((b) => b.name)).toContain('link_targets');
    const stored = db
      .prepare('SELECT DISTINCT c.name FROM audit_counts a JOIN crawls c ON c.id = a.crawl_id')
      .pluck()
      .all();
    expect(stored).toEqual(['big']);
    // The default threshold is the constant, and a crawl below it is still audited exactly, live.
    expect(AUDIT_COUNTS_MIN_PAGES).toBe(10_000);
    expect(counts(db, 'small')['broken-links']).toBe(0);
    db.close();
  });
});

describe('broken-links and links-to-redirects during and after a crawl', () => {
  it('answer the same rows from the link lists and from link_targets, and from both at once', () => {
    const db = openDb(':memory:');
    const a = crawl(db, 'a');
    const other = crawl(db, 'other');
    const home = page(db, a, `${H}/`);
    const p1 = page(db, a, `${H}/p1`);
    page(db, a, `${H}/gone`, { status: 404, error: 'HTTP_4XX', word_count: null });
    page(db, a, `${H}/moved`, {
      final_url: `${H}/moved/`,
      redirects: JSON.stringify([{ url: `${H}/moved`, status: 301 }]),
    });
    page(db, other, `${H}/gone`, { status: 404, error: 'HTTP_4XX', word_count: null });
    link(db, home, `${H}/gone`, 'Gone');
    link(db, home, `${H}/moved`, 'Moved');
    link(db, p1, `${H}/moved`, 'Moved too');
    link(db, p1, `${H}/gone`, 'Gone too');
    link(db, p1, `${H}/gone`, 'Gone again');
    const rows = () => ({
      broken: runAudit(db, 'a', { checks: ['broken-links'] }).checks[0].items,
      redirects: runAudit(db, 'a', { checks: ['links-to-redirects'] }).checks[0].items,
    });
    const during = rows();
    expect(during.broken.map((r) => [r.url, r.target, r.anchor])).toEqual([
      [`${H}/`, `${H}/gone`, 'Gone'],
      [`${H}/p1`, `${H}/gone`, 'Gone too'],
    ]);
    expect(during.redirects.map((r) => [r.url, r.target, r.anchor])).toEqual([
      [`${H}/`, `${H}/moved`, 'Moved'],
      [`${H}/p1`, `${H}/moved`, 'Moved too'],
    ]);
    advanceLinkTargets(db);
    expect(db.prepare('SELECT count(*) FROM link_targets').pluck().get()).toBeGreaterThan(0);
    expect(rows()).toEqual(during);
    // A page written after link_targets: found in its link list.
    const p2 = page(db, a, `${H}/p2`);
    link(db, p2, `${H}/gone`, 'Gone from p2');
    const mixed = rows();
    expect(mixed.broken.map((r) => r.url)).toEqual([`${H}/`, `${H}/p1`, `${H}/p2`]);
    advanceLinkTargets(db);
    expect(rows()).toEqual(mixed);
    db.close();
  });

  it("pages through a check's findings from the caller's memo, reading the view once", () => {
    const db = openDb(':memory:');
    const a = crawl(db, 'a');
    for (let i = 0; i < 7; i++) page(db, a, `${H}/p${i}`, { title: null });
    const memory = new Map<string, AuditFinding[]>();
    let reads = 0;
    const memo: AuditMemo = {
      count: () => undefined,
      rows: (check, compute) => {
        let rows = memory.get(check);
        if (!rows) {
          reads++;
          rows = compute();
          memory.set(check, rows);
        }
        return rows;
      },
    };
    const pageOf = (offset: number, m?: AuditMemo) =>
      runAudit(db, 'a', { checks: ['title-missing'], limit: 3, offset, memo: m }).checks[0];
    const live = [0, 3, 6].map((o) => pageOf(o));
    expect(live.map((r) => r.items.length)).toEqual([3, 3, 1]);
    expect([0, 3, 6, 0].map((o) => pageOf(o, memo))).toEqual([...live, live[0]]);
    expect(reads).toBe(1);
    expect(memory.get('title-missing')?.map((r) => r.url)).toEqual(
      live.flatMap((r) => r.items.map((i) => i.url)),
    );
    db.close();
  });
});

describe('bringing link_targets up to date', () => {
  it('adds the same rows sorted (large databases) or unsorted (small ones)', () => {
    const rows = (sorted: boolean) => {
      const db = openDb(':memory:');
      const a = crawl(db, 'a');
      const pages = Array.from({ length: 40 }, (_, i) => page(db, a, `${H}/${i}`));
      // Links in an order unlike the targets' ids, some repeated on a page.
      for (const [i, from] of pages.entries())
        for (let j = 0; j < 6; j++) link(db, from, `${H}/${(i * 7 + j * 13) % 40}`, `t${j % 2}`);
      db.prepare('DELETE FROM link_targets').run();
      db.prepare('UPDATE link_targets_upto SET page_id = 10').run();
      const kept = db.prepare('SELECT count(*) FROM link_targets').pluck().get();
      advanceLinkTargets(db, sorted);
      const out = db.prepare('SELECT url_id, page_id FROM link_targets ORDER BY 1, 2').raw().all();
      expect(db.prepare('SELECT page_id FROM link_targets_upto').pluck().get()).toBe(40);
      db.close();
      return { kept, out };
    };
    const sorted = rows(true);
    expect(sorted.kept).toBe(0);
    expect(sorted.out.length).toBeGreaterThan(100);
    expect(rows(false)).toEqual(sorted);
  });
});
