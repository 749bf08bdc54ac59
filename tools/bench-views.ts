/**
 * Times each explorer view over HTTP against an existing database: each view on a fresh server (no cached
 * aggregates, no prepared statements), fetched once cold and then `repeat` times warm. The benchmark
 * calls this; it is not a test.
 */

import { startExplorer } from '#metacrawl/serve/index.js';
import { openDb } from '#metacrawl/store/index.js';

export interface ViewTiming {
  view: string;
  ms: number;
}

interface Target {
  view: string;
  path: string;
}

function targets(dbPath: string): Target[] {
  const db = openDb(dbPath, { readonly: true });
  try {
    const crawl = db.prepare('SELECT id, name FROM crawls ORDER BY id DESC LIMIT 1').get() as
      | { id: number; name: string }
      | undefined;
    if (!crawl) throw new Error(`${dbPath} has no crawls`);
    const c = `/crawl/${encodeURIComponent(crawl.name)}`;
    const page = db
      .prepare('SELECT id, url FROM pages WHERE crawl_id = ? AND error IS NULL LIMIT 1 OFFSET 1000')
      .get(crawl.id) as { id: number; url: string } | undefined;
    const host = page ? new URL(page.url).host : 'example.com';
    const list: Target[] = [
      { view: 'crawls', path: '/' },
      { view: 'crawl', path: c },
      { view: 'crawl page 2', path: `${c}?page=2` },
      { view: 'crawl page 200', path: `${c}?page=200` },
      { view: 'crawl page 5000 (offset 250k)', path: `${c}?page=5000` },
      { view: 'crawl sort fetch-time desc', path: `${c}?sort=elapsed&dir=desc` },
      { view: 'crawl sort title', path: `${c}?sort=title` },
      { view: 'crawl filter host', path: `${c}?host=${encodeURIComponent(host)}` },
      { view: 'crawl filter status 404', path: `${c}?status=404` },
      { view: 'crawl filter error', path: `${c}?error=FETCH_TIMEOUT` },
      { view: 'crawl lacks og:image', path: `${c}?lacks=og_image` },
      { view: 'crawl noindex', path: `${c}?lacks=noindex` },
      { view: 'crawl search', path: `${c}?q=${encodeURIComponent('page/12345')}` },
      { view: 'sql page', path: '/sql' },
      { view: 'sql query', path: `/sql?q=${encodeURIComponent('SELECT url, title FROM pages LIMIT 100')}` },
    ];
    if (page) list.push({ view: 'page (with linked from)', path: `/page/${page.id}` });
    return list;
  } finally {
    db.close();
  }
}

async function timeGet(base: string, path: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(new URL(path, base));
  await res.text();
  const ms = performance.now() - t;
  if (res.status !== 200) throw new Error(`GET ${path} → ${res.status}`);
  return ms;
}

/**
 * One entry per view: `<view>` is the first (cold) request after a fresh server started; `<view> (warm)`
 * is the median of `repeat` further requests. `startup` is startExplorer itself: opening the file and
 * computing every crawl's aggregates (charts, counts), which the views then serve from memory.
 */
export async function benchExplorerViews(dbPath: string, repeat = 5): Promise<ViewTiming[]> {
  const out: ViewTiming[] = [];
  const list = targets(dbPath);
  for (const [i, t] of list.entries()) {
    const started = performance.now();
    const explorer = await startExplorer({ dbPath, port: 0 });
    if (i === 0)
      out.push({
        view: 'startup (open + aggregates)',
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    try {
      // The client's own first-request setup is not the server's time.
      await timeGet(explorer.url, '/static/style.css');
      const cold = await timeGet(explorer.url, t.path);
      const warm: number[] = [];
      for (let i = 0; i < repeat; i++) warm.push(await timeGet(explorer.url, t.path));
      warm.sort((a, b) => a - b);
      out.push({ view: t.view, ms: Math.round(cold * 10) / 10 });
      out.push({ view: `${t.view} (warm)`, ms: Math.round(warm[Math.floor(warm.length / 2)] * 10) / 10 });
    } finally {
      await explorer.close();
    }
  }
  return out;
}
