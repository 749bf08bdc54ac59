/**
 * `/crawl/<name>/audit` (every check's count of findings), `/crawl/<name>/audit/<check>` (its findings, a page
 * at a time) and `/crawl/<name>/audit/<check>.csv` (all of them), through the store's `runAudit`.
 */
import { AuditError, auditChecks, cell, runAudit, toCsv } from '../../store/index.js';
import { parseTableQuery } from '../filters.js';
import { HttpError, type Routes, send, sendHtml } from '../http.js';
import { auditCheckView, auditView } from '../views/audit.js';

export const auditRoutes: Routes = async ({ reader, queues }, req, res, url) => {
  const match = /^\/crawl\/([^/]+)\/audit(?:\/([^/]+?)(\.csv)?)?$/.exec(url.pathname);
  if (!match) return false;
  const name = decodeURIComponent(match[1]);
  const crawl = reader.crawlByName(name);
  if (!crawl) throw new HttpError(404, `No crawl named ${name} in this database.`);
  const checks = auditChecks(reader.db);
  if (match[2] === undefined) {
    const memo = reader.auditMemo(crawl.id);
    const counts = new Map(runAudit(reader.db, name, { limit: 0, memo }).checks.map((c) => [c.id, c.count]));
    for (const [id, count] of counts) memo.remember(id, count);
    sendHtml(
      req,
      res,
      200,
      auditView({ crawl, checks: checks.map((c) => ({ ...c, count: counts.get(c.id) ?? 0 })), queues }),
    );
    return true;
  }
  const id = decodeURIComponent(match[2]);
  const check = checks.find((c) => c.id === id);
  if (!check) {
    throw new HttpError(404, `No audit check ${id} (checks: ${checks.map((c) => c.id).join(', ')}).`);
  }
  try {
    if (match[3]) {
      const [result] = runAudit(reader.db, name, { checks: [id], memo: reader.auditMemo(crawl.id) }).checks;
      const columns = [...new Set(['url', ...result.items.flatMap((i) => Object.keys(i))])];
      const csv = toCsv(
        columns,
        result.items.map((i) => columns.map((k) => cell(i[k]))),
      );
      res.setHeader('Content-Disposition', `attachment; filename="audit-${id}.csv"`);
      send(req, res, 200, 'text/csv; charset=utf-8', csv);
      return true;
    }
    const table = parseTableQuery(url.searchParams);
    const offset = (table.page - 1) * table.per;
    const memo = reader.auditMemo(crawl.id);
    const [result] = runAudit(reader.db, name, { checks: [id], limit: table.per, offset, memo }).checks;
    memo.remember(id, result.count);
    const rows = result.items.map((finding) => ({
      finding,
      pageId: reader.pageId(crawl.id, finding.url),
      targetId: typeof finding.target === 'string' ? reader.pageId(crawl.id, finding.target) : null,
    }));
    const more = offset + result.items.length < result.count;
    sendHtml(req, res, 200, auditCheckView({ crawl, check, count: result.count, rows, table, more, queues }));
  } catch (err) {
    if (err instanceof AuditError) throw new HttpError(404, err.message);
    throw err;
  }
  return true;
};
