/**
 * link_targets as a small crawl's writer keeps it up to date, from the link URL ids it has just written: the same
 * rows as read from the link lists, a page written twice in one batch included.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/store/db.js';
import { LINK_URL_ID } from '../../src/store/indexes.js';
import { PageWriter } from '../../src/store/writer.js';
import { okRecord, tempDir } from './records.js';

function page(url: string, links: string[]) {
  const r = okRecord('c', url, { links: 0 });
  r.meta!.links = links.map((u, k) => ({
    url: u,
    text: `t${k}`,
    rel: k === 2 ? 'nofollow' : null,
    tag: 'a' as const,
  }));
  return r;
}

describe('link_targets kept by the writer', () => {
  let t: ReturnType<typeof tempDir>;
  let db: Db;
  beforeEach(() => {
    t = tempDir();
    db = openDb(t.dbPath);
  });
  afterEach(() => {
    db.close();
    t.cleanup();
  });

  const targets = () => db.prepare('SELECT url_id, page_id FROM link_targets ORDER BY 1, 2').raw().all();
  const fromLists = () =>
    db
      .prepare(
        `SELECT DISTINCT ${LINK_URL_ID}, l.page_id FROM link_lists l JOIN json_each(l.links) j ORDER BY 1, 2`,
      )
      .raw()
      .all();
  const upto = () => db.prepare('SELECT page_id FROM link_targets_upto').pluck().get();

  it('has the rows of the link lists, repeats and fragments included, up to the last page', () => {
    const w = new PageWriter(db);
    w.writeBatch([
      page('https://a.example/', [
        'https://x.example/',
        'https://x.example/#f',
        'https://y.example/',
        'https://x.example/',
      ]),
      page('https://b.example/', ['https://y.example/', 'https://z.example/#']),
    ]);
    w.writeBatch([page('https://c.example/', ['https://z.example/', 'https://a.example/'])]);
    expect(targets()).toHaveLength(6);
    expect(targets()).toEqual(fromLists());
    expect(upto()).toBe(3);
  });

  it('has only the last link list of a page written twice in one batch', () => {
    const w = new PageWriter(db);
    w.writeBatch([
      page('https://a.example/', ['https://x.example/', 'https://y.example/']),
      page('https://a.example/', ['https://z.example/']),
    ]);
    expect(targets()).toEqual(fromLists());
    expect(targets()).toHaveLength(1);
  });
});
