import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { crawlSummary, runQuery } from '../../src/store/query.js';
import { PageWriter } from '../../src/store/writer.js';
import { failRecord, okRecord, tempDir } from './records.js';

describe('runQuery and crawlSummary', () => {
  const t = tempDir();
  beforeAll(() => {
    const db = openDb(t.dbPath);
    const w = new PageWriter(db);
    w.writeBatch([
      okRecord('c1', 'https://example.com/a', { title: 'Hello, "world"\nline two' }),
      okRecord('c1', 'https://example.com/b', { title: 'plain' }),
      failRecord('c1', 'https://example.com/c', 'HTTP_4XX', 404),
      failRecord('c1', 'https://example.com/d', 'DNS_NOT_FOUND'),
      failRecord('c1', 'https://example.com/e', 'DNS_NOT_FOUND'),
      okRecord('other', 'https://example.com/a'),
    ]);
    db.close();
  });
  afterAll(() => t.cleanup());

  it.each([
    ["INSERT INTO crawls (name, created_at) VALUES ('x', 'y')"],
    ['DELETE FROM pages'],
    ['DROP TABLE pages'],
    ['UPDATE pages SET title = NULL'],
    ['CREATE TABLE evil (a)'],
    ['PRAGMA user_version = 7'],
  ])('refuses a write statement: %s', (sql) => {
    expect(() => runQuery(t.dbPath, sql, 'table')).toThrow(/^query is read-only: /);
    expect(runQuery(t.dbPath, 'SELECT count(*) AS n FROM pages', 'json')).toBe('[\n{"n":6}\n]\n');
  });

  it('reports SQL errors and a missing database clearly', () => {
    expect(() => runQuery(t.dbPath, 'SELECT nope FROM pages', 'table')).toThrow(
      /query failed: no such column: nope/,
    );
    expect(() => runQuery(`${t.dir}/none.db`, 'SELECT 1', 'table')).toThrow(/database not found/);
  });

  it('formats CSV per RFC 4180 (quotes, commas, newlines; NULL as empty; CRLF)', () => {
    const out = runQuery(
      t.dbPath,
      "SELECT url, title, error FROM pages p JOIN crawls c ON c.id = p.crawl_id WHERE c.name = 'c1' AND url IN ('https://example.com/a', 'https://example.com/c') ORDER BY url",
      'csv',
    );
    expect(out).toBe(
      'url,title,error\r\n' +
        'https://example.com/a,"Hello, ""world""\nline two",\r\n' +
        'https://example.com/c,,HTTP_4XX\r\n',
    );
  });

  it('neutralises formula-looking text cells in CSV (OWASP), leaving numbers alone', () => {
    const out = runQuery(
      t.dbPath,
      "SELECT '=1+2' AS a, '+cmd' AS b, '-2+3' AS c, '@SUM(A1)' AS d, char(9) || 'x' AS e, char(13) || 'y' AS f, " +
        "'-12.5' AS g, -3 AS h, 'a=b' AS i, '=\"q\"' AS j",
      'csv',
    );
    expect(out.split('\r\n')[1]).toBe(
      `"'=1+2","'+cmd","'-2+3","'@SUM(A1)","'\tx","'\ry",-12.5,-3,a=b,"'=""q"""`,
    );
  });

  it('formats JSON as an array of objects, integers beyond 2^53 exactly', () => {
    const out = runQuery(
      t.dbPath,
      "SELECT 9007199254740993 AS big, 42 AS small, NULL AS nil, 'x' AS s, 1.5 AS f",
      'json',
    );
    expect(JSON.parse(out)).toEqual([{ big: '9007199254740993', small: 42, nil: null, s: 'x', f: 1.5 }]);
    expect(runQuery(t.dbPath, 'SELECT 1 AS a WHERE 0', 'json')).toBe('[]\n');
  });

  it('formats a table with aligned columns, escaped control characters and a row count footer', () => {
    const out = runQuery(
      t.dbPath,
      'SELECT error, count(*) AS n FROM pages GROUP BY error ORDER BY n DESC, error',
      'table',
    );
    expect(out).toBe(
      [
        'error         | n',
        '--------------+--',
        'NULL          | 3',
        'DNS_NOT_FOUND | 2',
        'HTTP_4XX      | 1',
        '(3 rows)',
        '',
      ].join('\n'),
    );
    const esc = runQuery(
      t.dbPath,
      "SELECT title FROM pages WHERE url = 'https://example.com/a' LIMIT 1",
      'table',
    );
    expect(esc).toContain('Hello, "world"\\nline two');
    expect(runQuery(t.dbPath, "SELECT char(27) || '[31mred' AS t", 'table')).toContain('\\x1b[31mred');
    expect(runQuery(t.dbPath, 'SELECT 1 AS a WHERE 0', 'table')).toBe('a\n-\n(0 rows)\n');
    expect(runQuery(t.dbPath, "SELECT 'x' AS label, 1234 AS num UNION ALL SELECT 'longer', 5", 'table')).toBe(
      'label  |  num\n-------+-----\nx      | 1234\nlonger |    5\n(2 rows)\n',
    );
  });

  it('summarizes a crawl', () => {
    const db = openDb(t.dbPath, { readonly: true });
    expect(crawlSummary(db, 'c1')).toEqual({
      crawl: 'c1',
      pages: 5,
      ok: 2,
      failed: 3,
      byError: { DNS_NOT_FOUND: 2, HTTP_4XX: 1 },
      firstFetchedAt: '2025-01-02T03:04:05.000Z',
      lastFetchedAt: '2025-01-02T03:05:00.000Z',
    });
    expect(crawlSummary(db, 'nope')).toMatchObject({
      pages: 0,
      ok: 0,
      failed: 0,
      byError: {},
      firstFetchedAt: null,
    });
    db.close();
  });
});
