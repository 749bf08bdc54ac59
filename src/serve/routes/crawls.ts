/** `/` (the crawls) and `/crawl/<name>` (one crawl: charts, and its pages filtered, sorted or searched). */
import { parseTableQuery } from '../filters.js';
import { HttpError, type Routes, sendHtml } from '../http.js';
import { crawlView } from '../views/crawl.js';
import { crawlsView } from '../views/crawls.js';

export const crawlRoutes: Routes = async ({ reader, queues }, req, res, url) => {
  if (url.pathname === '/') {
    sendHtml(req, res, 200, crawlsView(reader.crawls(), queues));
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
  sendHtml(req, res, 200, crawlView({ crawl, breakdown, table, rows, more, count, search: null, queues }));
  return true;
};
