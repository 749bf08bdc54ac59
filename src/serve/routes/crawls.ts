/** `/` (the crawls) and `/crawl/<name>` (one crawl: charts, and its pages filtered, sorted or searched). */
import { parseTableQuery } from '../filters.js';
import { HttpError, type Routes, sendHtml } from '../http.js';
import { compareView } from '../views/compare.js';
import { crawlView } from '../views/crawl.js';
import { crawlsView } from '../views/crawls.js';

export const crawlRoutes: Routes = async ({ reader, queues }, req, res, url) => {
  if (url.pathname === '/') {
    sendHtml(req, res, 200, crawlsView(reader.crawls(), queues));
    return true;
  }
  const cmp = /^\/compare\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  if (cmp) {
    const [from, to] = [decodeURIComponent(cmp[1]), decodeURIComponent(cmp[2])];
    const a = reader.crawlByName(from);
    const b = reader.crawlByName(to);
    if (!a || !b) throw new HttpError(404, `No crawl named ${a ? to : from} in this database.`);
    if (!reader.canCompare()) throw new HttpError(404, 'This database predates crawl comparisons.');
    const diff = reader.compare(from, to);
    const ids = (p: { url: string }) => ({ a: reader.pageId(a.id, p.url), b: reader.pageId(b.id, p.url) });
    sendHtml(
      req,
      res,
      200,
      compareView({ from, to, pages: diff.pages.map((p) => ({ ...p, ...ids(p) })), queues }),
    );
    return true;
  }
  const match = /^\/crawl\/([^/]+)$/.exec(url.pathname);
  if (!match) return false;
  const name = decodeURIComponent(match[1]);
  const crawl = reader.crawlByName(name);
  if (!crawl) throw new HttpError(404, `No crawl named ${name} in this database.`);
  const table = parseTableQuery(url.searchParams);
  const breakdown = reader.breakdown(crawl.id);
  if (table.q) {
    const search = reader.search(crawl.id, table);
    const view = crawlView({
      crawl,
      breakdown,
      table,
      rows: search.rows,
      more: false,
      count: 0,
      search,
      queues,
    });
    sendHtml(req, res, 200, view);
    return true;
  }
  const { rows, more } = reader.pages(crawl.id, table);
  const count = reader.count(crawl.id, table);
  const others = reader.canCompare()
    ? reader
        .crawls()
        .map((c) => c.name)
        .filter((n) => n !== crawl.name)
        .slice(0, 20)
    : [];
  sendHtml(
    req,
    res,
    200,
    crawlView({ crawl, breakdown, table, rows, more, count, search: null, queues, others }),
  );
  return true;
};
