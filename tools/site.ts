/**
 * A local multi-host site of realistic pages, for tests, `npm run demo` and the benchmark. Hosts are distinct
 * loopback addresses (127.0.0.x), each its own node:http server; every request is logged with host and time.
 * Not used by the crawler itself.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SitePage {
  path: string;
  title: string;
  description: string;
  links: string[];
  jsonldType: string;
}

export interface SiteHost {
  address: string;
  port: number;
  origin: string;
  pages: SitePage[];
}

export interface SiteLogEntry {
  host: string;
  path: string;
  at: number;
  end?: number;
}

export interface Site {
  hosts: SiteHost[];
  /** Every page URL, in host order. */
  urls: string[];
  log: SiteLogEntry[];
  close(): Promise<void>;
}

export interface SiteOptions {
  hosts: number;
  pagesPerHost: number;
  /** First address is 127.0.0.<firstOctet>. */
  firstOctet?: number;
  /** Extra links per page to other pages of the same host. */
  linksPerPage?: number;
  /** Optional per-request hook to script special responses; return true when handled. */
  special?: (req: IncomingMessage, res: ServerResponse, host: SiteHost) => boolean;
  /** Delay before answering, in ms. */
  latencyMs?: number;
  robotsTxt?: string | null;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function pageHtml(host: SiteHost, p: SitePage): string {
  const url = `${host.origin}${p.path}`;
  const links = p.links
    .map((l, i) => `<li><a href="${esc(l)}">Link ${i + 1} of ${esc(p.title)}</a></li>`)
    .join('\n');
  const jsonld = JSON.stringify({
    '@context': 'https://schema.org',
    '@type': p.jsonldType,
    name: p.title,
    url,
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(p.title)}</title>
<meta name="description" content="${esc(p.description)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="canonical" href="${esc(url)}">
<meta property="og:title" content="${esc(p.title)}">
<meta property="og:description" content="${esc(p.description)}">
<meta property="og:url" content="${esc(url)}">
<meta property="og:type" content="article">
<meta property="og:image" content="/img${esc(p.path)}.png">
<meta name="twitter:card" content="summary">
<meta name="twitter:site" content="@metacrawl">
<script type="application/ld+json">${jsonld}</script>
</head>
<body>
<h1>${esc(p.title)}</h1>
<p>${esc(p.description)}</p>
<ul>
${links}
</ul>
</body>
</html>
`;
}

export async function startSite(opts: SiteOptions): Promise<Site> {
  const first = opts.firstOctet ?? 2;
  const log: SiteLogEntry[] = [];
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const hosts: SiteHost[] = [];
  const types = ['Article', 'Product', 'WebPage', 'BlogPosting', 'Event'];
  for (let h = 0; h < opts.hosts; h++) {
    const address = `127.0.0.${first + h}`;
    const host: SiteHost = { address, port: 0, origin: '', pages: [] };
    const server = createServer((req, res) => {
      const entry: SiteLogEntry = { host: address, path: req.url ?? '/', at: Date.now() };
      log.push(entry);
      res.on('finish', () => {
        entry.end = Date.now();
      });
      const answer = () => {
        if (opts.special?.(req, res, host)) return;
        if (req.url === '/robots.txt') {
          if (opts.robotsTxt === null || opts.robotsTxt === undefined) {
            res.writeHead(404, { 'content-type': 'text/plain' });
            res.end('not found');
          } else {
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.end(opts.robotsTxt);
          }
          return;
        }
        const page = host.pages.find((p) => p.path === req.url);
        if (!page) {
          res.writeHead(404, { 'content-type': 'text/html' });
          res.end('<title>Not found</title>');
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(pageHtml(host, page));
      };
      if (opts.latencyMs) setTimeout(answer, opts.latencyMs);
      else answer();
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, address, () => resolve());
    });
    host.port = (server.address() as AddressInfo).port;
    host.origin = `http://${address}:${host.port}`;
    servers.push(server);
    hosts.push(host);
  }
  const perPage = opts.linksPerPage ?? 5;
  for (const [hi, host] of hosts.entries()) {
    for (let i = 0; i < opts.pagesPerHost; i++) {
      const links: string[] = [];
      for (let j = 1; j <= perPage; j++) links.push(`/page/${(i + j) % opts.pagesPerHost}`);
      host.pages.push({
        path: `/page/${i}`,
        title: `Host ${hi} page ${i} — “quoted” & <escaped>`,
        description: `Description of page ${i} on host ${hi}.`,
        links,
        jsonldType: types[(hi + i) % types.length],
      });
    }
  }
  return {
    hosts,
    urls: hosts.flatMap((h) => h.pages.map((p) => `${h.origin}${p.path}`)),
    log,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
