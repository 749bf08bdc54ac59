import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExplorer } from '../../src/serve/server.js';
import { latestSchemaVersion, openDb, schemaVersion } from '../../src/store/db.js';
import { setAuditSettings, storeAuditCounts } from '../../src/store/index.js';
import { type FixtureDb, FORMULA_TITLE, fixtureDb, HOSTILE_URL, XSS } from './fixture.js';

describe('metacrawl serve: the results explorer over HTTP', () => {
  let fx: FixtureDb;
  let base: string;
  let close: () => Promise<void>;
  const sql = <T>(q: string, ...params: unknown[]): T[] => {
    const db = openDb(fx.dbPath, { readonly: true });
    try {
      return db.prepare(q).all(...params) as T[];
    } finally {
      db.close();
    }
  };
  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(new URL(path, base), init);
    return { res, body: await res.text() };
  };
  const $get = async (path: string) => {
    const { res, body } = await get(path);
    expect(res.status, `GET ${path}`).toBe(200);
    return cheerio.load(body);
  };
  const hostileId = () => sql<{ id: number }>('SELECT id FROM pages WHERE url = ?', HOSTILE_URL)[0].id;

  beforeAll(async () => {
    fx = await fixtureDb(600);
    const e = await startExplorer({ dbPath: fx.dbPath, port: 0 });
    base = e.url;
    close = e.close;
  });
  afterAll(async () => {
    await close?.();
    fx?.cleanup();
  });

  it('binds to 127.0.0.1 by default and migrates the file to the explorer schema', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const db = openDb(fx.dbPath, { readonly: true });
    expect(schemaVersion(db)).toBe(latestSchemaVersion());
    db.close();
  });

  it('sends a strict CSP, nosniff and no-referrer on every response, errors included', async () => {
    const id = hostileId();
    for (const path of [
      '/',
      '/crawl/fixture',
      `/page/${id}`,
      '/sql',
      '/sql?q=select+1',
      '/static/style.css',
      '/nope',
      '/page/999999',
    ]) {
      const { res } = await get(path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'none'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("style-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
    expect((await get('/nope')).res.status).toBe(404);
    expect((await get('/page/999999')).res.status).toBe(404);
    expect((await get('/crawl/missing')).res.status).toBe(404);
  });

  it('answers only GET and HEAD', async () => {
    expect((await get('/sql', { method: 'POST', body: 'q=DELETE FROM pages' })).res.status).toBe(405);
    const head = await get('/', { method: 'HEAD' });
    expect(head.res.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('refuses requests addressed to a non-loopback host name (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(new URL('/', base), { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });

  it('lists crawls with their counts and failures by code', async () => {
    const $ = await $get('/');
    const row = $('#crawls tbody tr').first();
    expect(row.find('a').first().attr('href')).toBe('/crawl/fixture');
    const [{ n, ok }] = sql<{ n: number; ok: number }>(
      'SELECT count(*) AS n, sum(error IS NULL) AS ok FROM pages',
    );
    const cells = row
      .find('td')
      .map((_, td) => $(td).text().trim())
      .get();
    expect(cells[1]).toBe(n.toLocaleString('en-US'));
    expect(cells[2]).toBe(ok.toLocaleString('en-US'));
    const codes = sql<{ error: string }>('SELECT DISTINCT error FROM pages WHERE error IS NOT NULL');
    for (const { error } of codes) expect(cells[4]).toContain(error);
  });

  it('escapes hostile titles, meta content, link text and JSON-LD, and never makes a javascript: link', async () => {
    const id = hostileId();
    for (const path of [
      `/page/${id}`,
      '/crawl/fixture?q=evil',
      `/sql?q=${encodeURIComponent("SELECT title, description FROM pages WHERE url LIKE '%evil%'")}`,
      '/crawl/fixture/audit/title-too-long',
      '/crawl/fixture/audit/broken-links',
    ]) {
      const { body } = await get(path);
      const $ = cheerio.load(body);
      // Only our own script tag exists, and no element carries an event handler attribute.
      expect($('script').length, path).toBe(1);
      expect($('script').attr('src')).toBe('/static/app.js');
      expect(
        $('img[onerror], svg[onload], b[onmouseover], [onerror], [onload], [onmouseover]').length,
        path,
      ).toBe(0);
      expect($('a[href^="javascript:" i], [src^="javascript:" i], [href^="data:" i]').length, path).toBe(0);
      expect(body).not.toContain('<script>window.__xss');
    }
    const $ = await $get(`/page/${id}`);
    expect($('h1.page-title').text()).toBe(XSS.title);
    expect($('#meta tbody tr').first().find('td').last().text()).toBe(XSS.meta);
    expect($('pre.json').text()).toContain('</script><script>window.__xss=6</script>');
    expect($('#links tbody tr').first().find('td').eq(1).text()).toBe(XSS.linkText);
    expect($('#links tbody tr').first().find('a').length).toBe(0);
    expect($('#links tbody tr').eq(1).find('a').attr('href')).toBe('https://site0.example/page/0');
  });

  it('shows the explorer fields, every meta tag in order, every link, redirects and headers of a page', async () => {
    const [p] = sql<{ id: number; url: string; title: string }>(
      'SELECT id, url, title FROM pages WHERE error IS NULL AND og_title IS NOT NULL AND twitter_card IS NOT NULL AND jsonld_count > 0 ORDER BY id LIMIT 1',
    );
    const $ = await $get(`/page/${p.id}`);
    const field = (name: string) =>
      $('dl.fields dt')
        .filter((_, dt) => $(dt).text() === name)
        .first()
        .next('dd')
        .text();
    expect(field('Title')).toBe(p.title);
    expect(field('Open Graph Title')).toBe(p.title);
    expect(field('X Title')).toBe(p.title);
    expect(field('OG URL')).toBe(p.url);
    expect(field('Domain')).toBe(new URL(p.url).hostname);
    expect(field('X (twitter:site)')).toMatch(/^@site\d+$/);
    const meta = sql<{ key: string; content: string }>(
      'SELECT key, content FROM meta WHERE page_id = ? ORDER BY position',
      p.id,
    );
    const shown = $('#meta tbody tr')
      .map((_, tr) => $(tr).find('td').eq(2).text())
      .get();
    expect(shown).toEqual(meta.map((m) => m.key));
    const links = sql<{ url: string }>('SELECT url FROM links WHERE page_id = ? ORDER BY position', p.id);
    expect(
      $('#links tbody tr a')
        .map((_, a) => $(a).attr('href'))
        .get(),
    ).toEqual(links.map((l) => l.url));
    expect($('pre.json').first().text()).toContain('"@context": "https://schema.org"');
    expect($('#headers').text()).toContain('content-type');
  });

  it("shows the page's extracted fields by rule and its microdata, escaped, and leaves both out when it has none", async () => {
    const { body } = await get(`/page/${hostileId()}`);
    expect(body).not.toContain(XSS.extract);
    expect(body).not.toContain(XSS.reason);
    expect(body).not.toContain(XSS.microdata);
    const $ = cheerio.load(body);
    expect($('script').length).toBe(1);
    expect($('[onerror]').length).toBe(0);
    const rows = $('#extracts tbody tr');
    expect(rows.map((_, tr) => $(tr).find('th').text()).get()).toEqual([
      'broken',
      'nothing',
      'price',
      'tags',
    ]);
    const cell = (rule: string) => rows.filter((_, tr) => $(tr).find('th').text() === rule).find('td');
    expect(cell('price').text()).toBe('12.50');
    expect(
      cell('tags')
        .find('ol.values li')
        .map((_, li) => $(li).text())
        .get(),
    ).toEqual(['first', XSS.extract, 'third']);
    expect(cell('nothing').find('.muted').text()).toBe('no match');
    expect(cell('broken').find('.tag.bad').text()).toBe('failed');
    expect(cell('broken').find('.reason').text()).toBe(XSS.reason);
    expect($('h2').filter((_, h) => $(h).text() === 'Extracted fields (4)').length).toBe(1);
    const items = $('#microdata pre.json');
    expect(items.length).toBe(1);
    expect($('#microdata h3').text()).toBe('Item 1 · https://schema.org/Product');
    expect(JSON.parse(items.text())).toEqual({
      type: ['https://schema.org/Product'],
      properties: { name: [XSS.microdata], sku: ['S-1'] },
    });

    const [plain] = sql<{ id: number }>(
      'SELECT id FROM pages WHERE error IS NULL AND url <> ? AND id NOT IN (SELECT page_id FROM extracts) ORDER BY id LIMIT 1',
      HOSTILE_URL,
    );
    const $plain = await $get(`/page/${plain.id}`);
    expect($plain('#extracts').length).toBe(0);
    expect($plain('#microdata').length).toBe(0);
    expect($plain('h2').filter((_, h) => /^(Extracted fields|Microdata)/.test($plain(h).text())).length).toBe(
      0,
    );
  });

  it.each(['https://site0.example/page/0', 'https://site0.example/page/12'])(
    'lists "linked from" %s: the pages of the crawl whose links point at it, #fragment or not',
    async (url) => {
      const [target] = sql<{ id: number; url: string }>('SELECT id, url FROM pages WHERE url = ?', url);
      const expected = sql<{ url: string }>(
        'SELECT DISTINCT p.url FROM links l JOIN pages p ON p.id = l.page_id WHERE l.target = ? ORDER BY p.url',
        target.url,
      ).map((r) => r.url);
      expect(expected).toContain(HOSTILE_URL);
      const $ = await $get(`/page/${target.id}`);
      expect(
        $('#linked-from tbody tr td.url a')
          .map((_, a) => $(a).text())
          .get(),
      ).toEqual(expected);
    },
  );

  describe('the crawl table', () => {
    const urls = async (path: string) => {
      const $ = await $get(path);
      return $('#pages tbody tr td.url a')
        .map((_, a) => $(a).text())
        .get();
    };

    it('pages through every row in URL order without gaps or repeats', async () => {
      const all = sql<{ url: string }>('SELECT url FROM pages ORDER BY url, id').map((r) => r.url);
      const seen: string[] = [];
      for (let page = 1; page <= Math.ceil(all.length / 200); page++) {
        seen.push(...(await urls(`/crawl/fixture?per=200&page=${page}`)));
      }
      expect(seen).toEqual(all);
      const $ = await $get(`/crawl/fixture?per=200&page=${Math.ceil(all.length / 200)}`);
      expect($('a[rel=next]').length).toBe(0);
      expect($('a[rel=prev]').length).toBe(1);
    });

    it('sorts by fetch time, descending, with the header link toggling the direction', async () => {
      const expected = sql<{ url: string }>(
        'SELECT url FROM pages ORDER BY elapsed_ms DESC, id DESC LIMIT 25',
      ).map((r) => r.url);
      expect(await urls('/crawl/fixture?sort=elapsed&dir=desc&per=25')).toEqual(expected);
      const $ = await $get('/crawl/fixture?sort=elapsed&dir=desc');
      const toggle = $('#pages thead a')
        .filter((_, a) => $(a).text().startsWith('Fetch ms'))
        .attr('href');
      expect(toggle).toContain('sort=elapsed');
      expect(toggle).not.toContain('dir=desc');
    });

    it.each([
      ['host=site3.example', "host = 'site3.example'"],
      ['status=404', 'status = 404'],
      ['error=FETCH_TIMEOUT', "error = 'FETCH_TIMEOUT'"],
      ['error=failed', 'error IS NOT NULL'],
      ['lacks=og_image', 'error IS NULL AND og_image IS NULL'],
      ['lacks=description', 'error IS NULL AND description IS NULL'],
      ['lacks=jsonld', 'error IS NULL AND jsonld_count = 0'],
      ['lacks=noindex', "instr(lower(robots), 'noindex') > 0"],
      [
        'host=site3.example&lacks=og_image&sort=title',
        "host = 'site3.example' AND error IS NULL AND og_image IS NULL",
      ],
    ])('filters %s exactly as SQL does', async (query, where) => {
      const order = query.includes('sort=title') ? 'title, id' : 'url, id';
      const expected = sql<{ url: string }>(`SELECT url FROM pages WHERE ${where} ORDER BY ${order}`).map(
        (r) => r.url,
      );
      expect(expected.length).toBeGreaterThan(0);
      expect(await urls(`/crawl/fixture?${query}&per=200`)).toEqual(expected.slice(0, 200));
      const $ = await $get(`/crawl/fixture?${query}`);
      expect($('#shown').text()).toContain(`of ${expected.length.toLocaleString('en-US')} matching`);
    });

    it('searches URL and title substrings in URL order, with other filters applied', async () => {
      for (const [query, where] of [
        ['q=page%2F1', "(url LIKE '%page/1%' OR title LIKE '%page/1%')"],
        ['q=SITE3&error=ok', "(url LIKE '%site3%' OR title LIKE '%site3%') AND error IS NULL"],
      ]) {
        const expected = sql<{ url: string }>(`SELECT url FROM pages WHERE ${where} ORDER BY url`).map(
          (r) => r.url,
        );
        expect(expected.length).toBeGreaterThan(30);
        const first = await urls(`/crawl/fixture?${query}&per=25`);
        expect(first).toEqual(expected.slice(0, 25));
        const $ = await $get(`/crawl/fixture?${query}&per=25`);
        const next = $('a[rel=next]').attr('href')!;
        expect(next).toContain(`after=${encodeURIComponent(expected[24])}`);
        expect(await urls(next)).toEqual(expected.slice(25, 50));
      }
    });

    it('treats search text as data (LIKE wildcards and quotes match literally)', async () => {
      expect(await urls(`/crawl/fixture?q=${encodeURIComponent("%' OR 1=1 --")}`)).toEqual([]);
      expect(await urls('/crawl/fixture?q=%25%25')).toEqual([]);
    });

    it('draws the charts from the same counts SQL gives', async () => {
      const $ = await $get('/crawl/fixture');
      const chart = (title: string) =>
        $('figure.chart').filter((_, f) => $(f).find('figcaption').text().startsWith(title));
      const [{ n }] = sql<{ n: number }>('SELECT count(*) AS n FROM pages WHERE status = 404');
      expect(chart('Status codes').find('title').text()).toContain(`404: ${n.toLocaleString('en-US')}`);
      const hosts = sql<{ host: string; n: number }>(
        'SELECT host, count(*) AS n FROM pages GROUP BY host ORDER BY n DESC, host LIMIT 20',
      );
      expect(
        chart('Pages per host')
          .find('text.label')
          .map((_, t) => $(t).text())
          .get(),
      ).toEqual(hosts.map((h) => h.host));
      const [{ withOg, ok }] = sql<{ withOg: number; ok: number }>(
        'SELECT sum(og_title IS NOT NULL) AS withOg, count(*) AS ok FROM pages WHERE error IS NULL',
      );
      expect(chart('Share of fetched pages').find('title').first().text()).toContain(
        `${withOg.toLocaleString('en-US')} (${((100 * withOg) / ok).toFixed(1)}%)`,
      );
      expect(chart('Fetch time').find('rect.bar').length).toBeGreaterThan(3);
      expect($('figure.chart svg a').first().attr('href')).toMatch(/^\/crawl\/fixture\?/);
    });
  });

  describe('the audit tab', () => {
    const crawlId = () => sql<{ id: number }>("SELECT id FROM crawls WHERE name = 'fixture'")[0].id;
    const findingUrls = async (path: string) => {
      const $ = await $get(path);
      return $('#findings tbody tr td.url:first-child')
        .map((_, td) => $(td).text())
        .get();
    };

    it('is linked from the crawl view and lists every check with its severity and count', async () => {
      const crawl = await $get('/crawl/fixture');
      expect(crawl('#crawl-tabs a').attr('href')).toBe('/crawl/fixture/audit');
      const $ = await $get('/crawl/fixture/audit');
      const checks = sql<{ id: string; view: string; severity: string }>(
        'SELECT id, view, severity FROM audit_checks ORDER BY position',
      );
      expect($('#audit tbody tr').length).toBe(checks.length);
      let total = 0;
      for (const c of checks) {
        const [{ n }] = sql<{ n: number }>(
          `SELECT count(*) AS n FROM "${c.view}" WHERE crawl_id = ?`,
          crawlId(),
        );
        total += n;
        const row = $(`#audit tbody tr[data-check="${c.id}"]`);
        const cells = row.find('td');
        expect(cells.eq(0).find('a').attr('href'), c.id).toBe(`/crawl/fixture/audit/${c.id}`);
        expect(cells.eq(1).text(), c.id).toBe(c.severity);
        expect(cells.eq(2).text(), c.id).toBe(n.toLocaleString('en-US'));
      }
      // The fixture has findings: the slow pages, and the two long titles.
      expect($('#audit tbody tr[data-check="slow-pages"] td').eq(2).text()).not.toBe('0');
      expect($('#audit tbody tr[data-check="title-too-long"] td').eq(2).text()).toBe('2');
      expect($('#audit-summary').text()).toContain(`${total.toLocaleString('en-US')} findings`);
    });

    it("shows a check's findings linking to the page view, crawled text escaped", async () => {
      const $ = await $get('/crawl/fixture/audit/title-too-long');
      expect(
        $('#findings thead th')
          .map((_, th) => $(th).text())
          .get(),
      ).toEqual(['URL', 'Details']);
      const row = $('#findings tbody tr').filter((_, tr) => $(tr).find('td.url').text() === HOSTILE_URL);
      expect(row.length).toBe(1);
      expect(row.find('td.url a').attr('href')).toBe(`/page/${hostileId()}`);
      expect(row.find('td.details').text()).toContain(XSS.title);
      expect(row.find('td.details').text()).toContain(`chars: ${XSS.title.length}`);
      expect($('#shown').text()).toBe('Findings 1–2 of 2');
      expect((await get('/crawl/fixture/audit/no-such-check')).res.status).toBe(404);
      expect((await get('/crawl/missing/audit')).res.status).toBe(404);
    });

    it('shows the target of a finding, linked to its page view when crawled', async () => {
      const $ = await $get('/crawl/fixture/audit/broken-links');
      expect(
        $('#findings thead th')
          .map((_, th) => $(th).text())
          .get(),
      ).toEqual(['URL', 'Target', 'Details']);
      const cells = $('#findings tbody tr').first().find('td');
      expect(cells.eq(0).text()).toBe(HOSTILE_URL);
      expect(cells.eq(1).text()).toBe('https://site0.example/page/0');
      const [{ id }] = sql<{ id: number }>("SELECT id FROM pages WHERE url = 'https://site0.example/page/0'");
      expect(cells.eq(1).find('a').attr('href')).toBe(`/page/${id}`);
      expect(cells.eq(2).text()).toContain(`anchor: ${XSS.linkText}`);
      expect(cells.eq(2).text()).toContain('status: 404');
    });

    it('pages through every finding of a check in order without gaps or repeats', async () => {
      const all = sql<{ url: string }>(
        'SELECT url FROM audit_slow_pages WHERE crawl_id = ? ORDER BY url',
        crawlId(),
      ).map((r) => r.url);
      expect(all.length).toBeGreaterThan(50);
      const seen: string[] = [];
      for (let page = 1; page <= Math.ceil(all.length / 25); page++) {
        seen.push(...(await findingUrls(`/crawl/fixture/audit/slow-pages?per=25&page=${page}`)));
      }
      expect(seen).toEqual(all);
      const first = await $get('/crawl/fixture/audit/slow-pages?per=25');
      expect(first('a[rel=next]').attr('href')).toBe('/crawl/fixture/audit/slow-pages?page=2&per=25');
      const last = await $get(`/crawl/fixture/audit/slow-pages?per=25&page=${Math.ceil(all.length / 25)}`);
      expect(last('a[rel=next]').length).toBe(0);
      expect(last('a[rel=prev]').length).toBe(1);
    });

    it("downloads all of a check's findings as CSV, formula-looking cells neutralised", async () => {
      const $ = await $get('/crawl/fixture/audit/title-too-long');
      expect($('#audit-csv').attr('href')).toBe('/crawl/fixture/audit/title-too-long.csv');
      const csv = await get('/crawl/fixture/audit/title-too-long.csv');
      expect(csv.res.status).toBe(200);
      expect(csv.res.headers.get('content-type')).toContain('text/csv');
      expect(csv.res.headers.get('content-disposition')).toContain('attachment');
      const lines = csv.body.trimEnd().split('\r\n');
      expect(lines[0]).toBe('url,title,chars');
      expect(lines.length).toBe(3);
      expect(csv.body).toContain(`,"'${FORMULA_TITLE.replace(/"/g, '""')}",${FORMULA_TITLE.length}\r\n`);
      expect(csv.body).toContain(`${HOSTILE_URL},"${XSS.title.replace(/"/g, '""')}",${XSS.title.length}\r\n`);
    });
  });

  describe('the audit tab while the crawl changes', () => {
    const count = async (check: string) => {
      const $ = await $get('/crawl/fixture/audit');
      return Number($(`#audit tbody tr[data-check="${check}"] td`).eq(2).text().replace(/,/g, ''));
    };
    it('serves stored and remembered counts only while the crawl is unchanged', async () => {
      const rw = openDb(fx.dbPath);
      const [{ id }] = sql<{ id: number }>("SELECT id FROM crawls WHERE name = 'fixture'");
      const addLongTitle = (url: string) =>
        rw
          .prepare(
            `INSERT INTO pages (crawl_id, url, final_url, status, stored_at, attempts, word_count, title)
             VALUES (?, ?, ?, 200, 'now', 1, 300, ?)`,
          )
          .run(
            id,
            url,
            url,
            'A title far too long for any search engine result page to show it in full, really',
          );
      try {
        const before = await count('title-too-long');
        expect(before).toBe(2);
        addLongTitle('https://site0.example/long-1');
        expect(await count('title-too-long')).toBe(3);
        // Counts stored (as at the end of a crawl) are what the tab shows: one altered shows as altered.
        storeAuditCounts(rw);
        rw.prepare(
          "UPDATE audit_counts SET count = 99 WHERE check_id = 'title-too-long' AND crawl_id = ?",
        ).run(id);
        rw.prepare(
          "UPDATE audit_counts SET count = 55 WHERE check_id = 'near-duplicate-content' AND crawl_id = ?",
        ).run(id);
        expect(await count('title-too-long')).toBe(99);
        // Computed checks too: the tab does not compute the near-duplicate pairs for a stored count.
        expect(await count('near-duplicate-content')).toBe(55);
        // A page written to the crawl makes the stored counts stale: counted again.
        addLongTitle('https://site0.example/long-2');
        expect(await count('title-too-long')).toBe(4);
        // So does a threshold changed (`audit --set`).
        storeAuditCounts(rw);
        setAuditSettings(rw, { title_max_chars: 1000 });
        expect(await count('title-too-long')).toBe(0);
      } finally {
        setAuditSettings(rw, { title_max_chars: 60 });
        rw.prepare("DELETE FROM pages WHERE url LIKE 'https://site0.example/long-%'").run();
        rw.prepare('DELETE FROM audit_counts').run();
        rw.close();
      }
      expect(await count('title-too-long')).toBe(2);
    });
  });

  describe('the SQL box', () => {
    it('runs a read-only query and shows the table', async () => {
      const $ = await $get(
        `/sql?q=${encodeURIComponent('SELECT url, status FROM pages ORDER BY id LIMIT 3')}`,
      );
      expect(
        $('#result thead th')
          .map((_, th) => $(th).text())
          .get(),
      ).toEqual(['url', 'status']);
      expect($('#result tbody tr').length).toBe(3);
    });

    it.each([
      'DELETE FROM pages',
      'UPDATE pages SET title = 1',
      'DROP TABLE pages',
      'INSERT INTO crawls (name, created_at) VALUES (1, 2)',
      'PRAGMA user_version = 9',
      "ATTACH DATABASE '/tmp/x.db' AS x",
      'CREATE TABLE t (a)',
      "VACUUM INTO '/tmp/metacrawl-serve-vacuum.db'",
    ])('refuses a write: %s', async (q) => {
      const before = sql<{ n: number }>('SELECT count(*) AS n FROM pages')[0].n;
      const { res, body } = await get(`/sql?q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(400);
      expect(cheerio.load(body)('#sql-error').text()).toMatch(/read-only|query failed/);
      expect((await get(`/sql.csv?q=${encodeURIComponent(q)}`)).res.status).toBe(400);
      expect(sql<{ n: number }>('SELECT count(*) AS n FROM pages')[0].n).toBe(before);
      expect(sql<{ v: number }>('PRAGMA user_version')[0]).toEqual({ user_version: latestSchemaVersion() });
    });

    it('caps the displayed rows and says more exist', async () => {
      const $ = await $get(
        `/sql?q=${encodeURIComponent('SELECT url FROM pages, (SELECT 1 UNION ALL SELECT 2)')}`,
      );
      expect($('#result tbody tr').length).toBe(1000);
      expect($('#result-info').text()).toContain('First 1,000 rows shown');
    });

    it('downloads every row as CSV and JSON', async () => {
      const q = `SELECT id, url, title, NULL AS empty FROM pages ORDER BY id`;
      const rows = sql<{ id: number; url: string; title: string | null }>(q);
      const csv = await get(`/sql.csv?q=${encodeURIComponent(q)}`);
      expect(csv.res.headers.get('content-type')).toContain('text/csv');
      expect(csv.res.headers.get('content-disposition')).toContain('attachment');
      const lines = csv.body.trimEnd().split('\r\n');
      expect(lines[0]).toBe('id,url,title,empty');
      expect(lines.length).toBe(rows.length + 1);
      expect(lines[1]).toBe(`${rows[0].id},${rows[0].url},${rows[0].title ?? ''},`);
      expect(csv.body).toContain(`"${XSS.title.replace(/"/g, '""')}"`);
      const json = await get(`/sql.json?q=${encodeURIComponent(q)}`);
      expect(json.res.headers.get('content-type')).toContain('application/json');
      expect(JSON.parse(json.body)).toEqual(rows.map((r) => ({ ...r, empty: null })));
      const empty = await get(`/sql.json?q=${encodeURIComponent('SELECT 1 WHERE 0')}`);
      expect(JSON.parse(empty.body)).toEqual([]);
    });

    it('neutralises formula-looking cells in the CSV download', async () => {
      const q = `SELECT '=HYPERLINK("http://x/","y")' AS f, '@x' AS a, 7 AS n`;
      const csv = await get(`/sql.csv?q=${encodeURIComponent(q)}`);
      expect(csv.body.split('\r\n')[1]).toBe(`"'=HYPERLINK(""http://x/"",""y"")","'@x",7`);
    });

    it('offers example queries one click away, each of which runs', async () => {
      const $ = await $get('/sql');
      const links = $('ul.examples a')
        .map((_, a) => $(a).attr('href'))
        .get();
      expect(links.length).toBeGreaterThan(5);
      for (const link of links) expect((await get(link)).res.status, link).toBe(200);
    });
  });
});
