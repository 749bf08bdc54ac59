#!/usr/bin/env node
/**
 * The benchmark's local site farm, run as its own process (the benchmark pins it to a core of its own):
 * `hosts` distinct loopback addresses (<net>.<first> …), one node:http server each, every host serving
 * `/issues/0` … `/issues/<pages-1>` and 404 for anything else (robots.txt included).
 *
 * Pages come from a pool of `pool` distinct GitHub-issue-like pages (bench/page.js) rendered and gzipped
 * once at start, so serving costs the farm almost nothing and the client side is what gets measured.
 * Page p of host h is pool[(h * pages + p) % pool]. gzip is sent when the client accepts it.
 *
 * Options: --hosts 100 --pages 100 --net 127.0.1 --first 1 --pool 256 --small (≈5 KB pages)
 *          --latency <ms> --jitter <ms> (answer after latency ± jitter, uniform) --no-gzip
 *          --validators (ETag and Last-Modified on every page; If-None-Match / If-Modified-Since → 304)
 * Re-crawls: `change(metaPct, bodyPct)` (in process) or SIGUSR2 with `--change <meta>,<body>` (own process) makes
 * metaPct % of the pages change their title (a metadata change) and the next bodyPct % change only a comment in
 * their body; page (h, p) is in the first group when (h * pages + p) % 100 < metaPct. Changed pages get a new ETag
 * and Last-Modified. `bytesSent` counts body bytes sent (a 304 sends none).
 * Prints one JSON line when every server listens: {"origins": [...], "pages", "pool", "meanBytes", "meanGzipBytes"}.
 * Stops on SIGTERM/SIGINT or when stdin closes (so it never outlives the benchmark).
 */
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { renderIssuePage, renderSmallPage } from './page.js';

/** @param {string[]} argv */
export function parseFarmArgs(argv) {
  const o = {
    hosts: 100,
    pages: 100,
    net: '127.0.1',
    first: 1,
    pool: 256,
    small: false,
    latency: 0,
    jitter: 0,
    gzip: true,
    validators: false,
    change: [10, 10],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--hosts') o.hosts = Number(next());
    else if (a === '--pages') o.pages = Number(next());
    else if (a === '--net') o.net = next();
    else if (a === '--first') o.first = Number(next());
    else if (a === '--pool') o.pool = Number(next());
    else if (a === '--small') o.small = true;
    else if (a === '--latency') o.latency = Number(next());
    else if (a === '--jitter') o.jitter = Number(next());
    else if (a === '--no-gzip') o.gzip = false;
    else if (a === '--validators') o.validators = true;
    else if (a === '--change') o.change = next().split(',').map(Number);
    else throw new Error(`unknown farm option ${a}`);
  }
  if (o.first + o.hosts - 1 > 254) throw new Error('--first + --hosts must stay within one /24');
  return o;
}

/** @param {ReturnType<typeof parseFarmArgs>} o */
export async function startFarm(o) {
  const pool = [];
  let raw = 0;
  let zipped = 0;
  for (let i = 0; i < o.pool; i++) {
    const html = Buffer.from(o.small ? renderSmallPage(i) : renderIssuePage(i));
    const gz = gzipSync(html, { level: 6 });
    raw += html.length;
    zipped += gz.length;
    pool.push({ html, gz });
  }
  const servers = [];
  const origins = [];
  const LM = [new Date(Date.UTC(2026, 0, 1)).toUTCString(), new Date(Date.UTC(2026, 1, 1)).toUTCString()];
  /** Pages changed by change(): index → { kind, html, gz } rendered once. */
  const changed = new Map();
  const stats = { bytesSent: 0, notModified: 0 };
  /** @param {number} h @param {number} p */
  const variant = (h, p) => {
    const k = h * o.pages + p;
    const c = changed.get(k);
    if (!c) return { ...pool[k % pool.length], gen: 0 };
    if (!c.html) {
      const base = pool[k % pool.length].html.toString();
      const html = Buffer.from(
        c.kind === 'meta'
          ? base.replace(/<title>/, '<title>Changed: ')
          : base.replace('</body>', `<!-- changed ${k} -->\n</body>`),
      );
      c.html = html;
      c.gz = gzipSync(html, { level: 6 });
    }
    return { html: c.html, gz: c.gz, gen: 1 };
  };
  for (let h = 0; h < o.hosts; h++) {
    const address = `${o.net}.${o.first + h}`;
    const server = createServer((req, res) => {
      const m = /^\/issues\/(\d+)$/.exec(req.url ?? '');
      const p = m ? Number(m[1]) : -1;
      const answer = () => {
        if (p < 0 || p >= o.pages) {
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': '9' });
          res.end('not found');
          return;
        }
        const page = variant(h, p);
        if (o.validators) {
          const etag = `"${h}-${p}-${page.gen}"`;
          const lm = LM[page.gen];
          const ims = req.headers['if-modified-since'];
          const inm = req.headers['if-none-match'];
          if (inm === etag || (inm === undefined && ims && Date.parse(ims) >= Date.parse(lm))) {
            stats.notModified++;
            res.writeHead(304, { etag, 'last-modified': lm });
            res.end();
            return;
          }
        }
        const gzip = o.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
        const body = gzip ? page.gz : page.html;
        /** @type {Record<string, string>} */
        const headers = {
          'content-type': 'text/html; charset=utf-8',
          'content-length': String(body.length),
          'cache-control': 'max-age=0, private, must-revalidate',
          vary: 'X-PJAX, X-PJAX-Container, Turbo-Visit, Turbo-Frame, Accept-Encoding, Accept, X-Requested-With',
          'x-frame-options': 'deny',
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer-when-downgrade',
        };
        if (gzip) headers['content-encoding'] = 'gzip';
        if (o.validators) {
          headers.etag = `"${h}-${p}-${page.gen}"`;
          headers['last-modified'] = LM[page.gen];
        }
        stats.bytesSent += body.length;
        res.writeHead(200, headers);
        res.end(body);
      };
      if (o.latency > 0) setTimeout(answer, Math.max(0, o.latency + (Math.random() * 2 - 1) * o.jitter));
      else answer();
    });
    server.keepAliveTimeout = 30_000;
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, address, () => resolve(undefined));
    });
    const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
    origins.push(`http://${address}:${addr.port}`);
    servers.push(server);
  }
  return {
    origins,
    pages: o.pages,
    pool: pool.length,
    meanBytes: Math.round(raw / pool.length),
    meanGzipBytes: Math.round(zipped / pool.length),
    stats,
    /** @param {number} metaPct @param {number} bodyPct */
    change: (metaPct, bodyPct) => {
      for (let k = 0; k < o.hosts * o.pages; k++) {
        const r = k % 100;
        if (r < metaPct) changed.set(k, { kind: 'meta' });
        else if (r < metaPct + bodyPct) changed.set(k, { kind: 'body' });
      }
    },
    close: () =>
      Promise.all(
        servers.map(
          (s) =>
            new Promise((resolve) => {
              s.close(() => resolve(undefined));
              s.closeAllConnections();
            }),
        ),
      ),
  };
}

/** Every page URL, host-interleaved (page 0 of every host, then page 1, …), as a real mixed list is. */
export function farmUrls(/** @type {string[]} */ origins, /** @type {number} */ pages, limit = Infinity) {
  const urls = [];
  for (let p = 0; p < pages && urls.length < limit; p++)
    for (const o of origins) {
      if (urls.length >= limit) break;
      urls.push(`${o}/issues/${p}`);
    }
  return urls;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const farm = await startFarm(parseFarmArgs(process.argv.slice(2)));
  const { close, change, stats, ...info } = farm;
  const o = parseFarmArgs(process.argv.slice(2));
  process.on('SIGUSR2', () => change(o.change[0], o.change[1]));
  process.stdout.write(`${JSON.stringify(info)}\n`);
  const stop = () => close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
