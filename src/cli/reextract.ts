/** `metacrawl reextract`: the current extractor over a crawl's archived responses (no network). */
import { finishWritesInThread, reextractCrawl } from '../store/index.js';
import { announceStop, type CliIO, line } from './io.js';

export interface ReextractCommandOptions {
  db: string;
  crawl: string;
  as: string | null;
  /** null: the archive directory the database recorded for the crawl. */
  archiveDir: string | null;
  maxLinks: number;
  /** Rules besides the crawl's (checked as at submit); one named as a crawl rule replaces it. */
  extract: string[];
  microdata: boolean;
  /** --workers: threads in all, this one (the writer) included; 'auto': one extracting per usable core from 1,000 pages. */
  workers: number | 'auto';
}

export async function reextractCommand(opts: ReextractCommandOptions, io: CliIO): Promise<number> {
  announceStop(io);
  const started = Date.now();
  let last = 0;
  const r = await reextractCrawl({
    ...opts,
    signal: io.stopSignal,
    onStart: (threads) => {
      if (threads > 0)
        line(
          io.stderr,
          `reextract: extracting on ${threads} thread${threads === 1 ? '' : 's'}, writing on this one`,
        );
    },
    onProgress: (done, total) => {
      if (Date.now() - last < 1000 && done < total) return;
      last = Date.now();
      line(io.stderr, `reextract: ${done}/${total} pages`);
    },
  });
  const secs = (Date.now() - started) / 1000;
  const into = opts.as ?? opts.crawl;
  line(
    io.stdout,
    `reextract ${opts.crawl} → ${into}: ${r.reextracted} pages extracted again, ${r.copied} failed pages copied, ` +
      `${r.skipped} already done, ${r.notArchived} not archived` +
      (r.shared > 0 ? `, ${r.shared} unchanged pages shared with the earlier crawl` : '') +
      ` (${(r.reextracted / Math.max(secs, 0.001)).toFixed(0)} pages/s)`,
  );
  if (io.stopSignal.aborted) {
    line(io.stderr, 'reextract: interrupted: run the same command again to resume');
    return 130;
  }
  // The writer leaves some indexes off while it stores many pages (as in a crawl): build what it left off.
  try {
    await finishWritesInThread(opts.db, { report: (m) => line(io.stderr, `reextract: ${m}`) });
  } catch (err) {
    // The rows are all stored: only query speed is at stake.
    line(
      io.stderr,
      `reextract: finishing ${opts.db} failed: ${(err as Error).message}; queries stay correct, only slower`,
    );
  }
  return 0;
}
