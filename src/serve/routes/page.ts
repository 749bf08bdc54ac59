/** `/page/<id>`: one stored page with its meta tags, links, JSON-LD, own fields (extraction rules, microdata) and the pages linking to it. */
import { HttpError, type Routes, sendHtml } from '../http.js';
import type { ExplorerReader } from '../reader.js';
import { pageView } from '../views/page.js';

/** The URL in every crawl, each compared with the one before it. */
function history(reader: ExplorerReader, url: string) {
  if (!reader.canCompare()) return [];
  const rows = reader.history(url);
  return rows.map((row, i) => ({
    row,
    changed: i === 0 ? null : Object.keys(reader.comparePages(rows[i - 1].id, row.id)),
  }));
}

export const pageRoutes: Routes = async ({ reader, queues }, req, res, url) => {
  const match = /^\/page\/(\d{1,15})$/.exec(url.pathname);
  if (!match) return false;
  const page = reader.page(Number(match[1]));
  if (!page) throw new HttpError(404, `No page with id ${match[1]}.`);
  const id = page.id as number;
  const crawlId = page.crawl_id as number;
  const view = pageView({
    page,
    crawl: reader.crawlName(crawlId) ?? String(crawlId),
    meta: reader.meta(id),
    links: reader.links(id),
    jsonld: reader.jsonld(id),
    extracts: reader.extracts(id),
    microdata: reader.microdata(id),
    linkedFrom: reader.linkedFrom(crawlId, [String(page.url), String(page.final_url ?? '')]),
    history: history(reader, String(page.url)),
    queues,
  });
  sendHtml(req, res, 200, view);
  return true;
};
