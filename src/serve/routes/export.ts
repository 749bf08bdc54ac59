/**
 * `/crawl/<name>/export/<table>.<format>[.gz]`: a crawl's export as `metacrawl export` writes it (the store's
 * `exportCrawl`, on a connection of its own), streamed into the response with backpressure: the export reads
 * rows only as fast as the client takes bytes, so memory stays flat, and a client that goes away stops it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { type ExportFormat, exportCrawl } from '../../store/index.js';
import { HttpError, type Routes } from '../http.js';
import type { ExportKind } from '../views/exports.js';

const TYPES: Record<ExportFormat, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

/** A file name from a crawl name: only ASCII letters, digits, `.`, `_` and `-`, never a leading dot. */
export function downloadName(crawl: string, kind: ExportKind, format: ExportFormat, gzip: boolean): string {
  const safe = crawl.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '') || 'crawl';
  return `${safe.slice(0, 100)}-${kind}.${format}${gzip ? '.gz' : ''}`;
}

const PATH = /^\/crawl\/([^/]+)\/export\/(pages|links|meta|jsonld|nested)\.(jsonl|csv|parquet)(\.gz)?$/;

export const exportRoutes: Routes = async ({ reader, dbPath }, req, res, url) => {
  const match = PATH.exec(url.pathname);
  if (!match) return false;
  const name = decodeURIComponent(match[1]);
  const kind = match[2] as ExportKind;
  const format = match[3] as ExportFormat;
  const gzip = match[4] !== undefined;
  if (!reader.crawlByName(name)) throw new HttpError(404, `No crawl named ${name} in this database.`);
  if (kind === 'nested' && format !== 'jsonl') throw new HttpError(404, 'The nested export is JSONL only.');
  if (format === 'parquet' && gzip) {
    throw new HttpError(404, 'Parquet compresses its columns itself: there is no .parquet.gz.');
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', gzip ? 'application/gzip' : TYPES[format]);
  res.setHeader('Content-Disposition', `attachment; filename="${downloadName(name, kind, format, gzip)}"`);
  res.setHeader('Cache-Control', 'no-store');
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  await streamExport(res, dbPath, name, kind, format, gzip);
  return true;
};

/**
 * Runs the export into the response. The pipeline destroys every stream when the client disconnects, so the
 * export's next write fails, its row iterator is closed and its connection released.
 */
async function streamExport(
  res: ServerResponse<IncomingMessage>,
  dbPath: string,
  crawl: string,
  kind: ExportKind,
  format: ExportFormat,
  gzip: boolean,
): Promise<void> {
  const body = new PassThrough();
  // Settled at once: it fails while the export still runs when the client goes away.
  const sent = pipeline(gzip ? [body, createGzip(), res] : [body, res]).then(
    () => true,
    () => false,
  );
  try {
    await exportCrawl({
      db: dbPath,
      crawl,
      format,
      table: kind === 'nested' ? 'pages' : kind,
      nested: kind === 'nested',
      out: null,
      gzip: false,
      stdout: body,
    });
    body.end();
  } catch (err) {
    body.destroy(err as Error);
  }
  // The client went away, or the export failed: either way the response is cut short, never complete.
  if (!(await sent)) res.destroy();
}
