/**
 * A local multi-host site whose link graph is known, and the BFS oracle that says which URLs a crawl of it
 * must store. Hosts are 127.0.0.x servers; pages are named `host:/path` in the graph and become real URLs
 * once the servers listen. Every request is logged (host key + path).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { normalizeUrl } from '../../src/url/normalize.js';
import { inScope, type ScopeMode } from '../../src/url/scope.js';
import { html, startServer, type TestServer } from '../helpers/http.js';

export interface Link {
  to: string;
  rel?: string;
}

export interface PageSpec {
  links: (string | Link)[];
  /** <meta name=robots content=...> */
  metaRobots?: string;
  /** X-Robots-Tag response header. */
  xRobots?: string;
}

/** `host:/path` → page. */
export type GraphSpec = Record<string, PageSpec>;

export interface GraphSite {
  /** host name in the graph → origin (http://127.0.0.x:port). */
  origins: Record<string, string>;
  url(node: string): string;
  node(url: string): string;
  /** Requests per node (`host:/path`), robots.txt included as `host:/robots.txt`. */
  hits(node: string): number;
  log: Array<{ host: string; path: string }>;
  close(): Promise<void>;
}

export interface GraphSiteOptions {
  /** host name → 127.0.0.x address. */
  hosts: Record<string, string>;
  /** Delay before every answer, in ms. */
  latencyMs?: number;
  /** Extra per-request behaviour; return true when handled. */
  special?: (host: string, req: IncomingMessage, res: ServerResponse) => boolean;
}

export async function startGraphSite(spec: GraphSpec, opts: GraphSiteOptions): Promise<GraphSite> {
  const origins: Record<string, string> = {};
  const servers: TestServer[] = [];
  const log: Array<{ host: string; path: string }> = [];
  const url = (node: string) => {
    const i = node.indexOf(':');
    return `${origins[node.slice(0, i)]}${node.slice(i + 1)}`;
  };
  for (const [name, address] of Object.entries(opts.hosts)) {
    const server = await startServer(async (req, res) => {
      const path = req.url ?? '/';
      if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
      log.push({ host: name, path });
      if (opts.special?.(name, req, res)) return;
      const page = spec[`${name}:${path}`];
      if (!page) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
        return;
      }
      const anchors = page.links
        .map((l) => (typeof l === 'string' ? { to: l } : l))
        .map((l) => {
          const href = l.to.includes(':') && !l.to.startsWith('http') ? url(l.to) : l.to;
          return `<a href="${href}"${l.rel ? ` rel="${l.rel}"` : ''}>${l.to}</a>`;
        })
        .join('\n');
      const meta = page.metaRobots ? `<meta name="robots" content="${page.metaRobots}">` : '';
      html(
        res,
        `<!doctype html><html><head><title>${name}${path}</title>${meta}</head><body>${anchors}</body></html>`,
        200,
        page.xRobots ? { 'x-robots-tag': page.xRobots } : {},
      );
    }, address);
    origins[name] = server.origin;
    servers.push(server);
  }
  return {
    origins,
    url,
    node(u: string) {
      for (const [name, origin] of Object.entries(origins)) {
        if (u.startsWith(origin)) return `${name}:${u.slice(origin.length)}`;
      }
      return u;
    },
    hits: (node: string) => {
      const i = node.indexOf(':');
      return log.filter((e) => e.host === node.slice(0, i) && e.path === node.slice(i + 1)).length;
    },
    log,
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

export interface BfsOptions {
  depth: number;
  scope: ScopeMode;
  include?: RegExp[];
  exclude?: RegExp[];
  followNofollow?: boolean;
}

export interface BfsNode {
  depth: number;
  /** Every page one level up that links here within scope (any of them may be the stored discovered_from). */
  parents: Set<string>;
}

const NOFOLLOW = /(^|[\s,])(nofollow|none)($|[\s,])/i;

/**
 * What a crawl must store: level-synchronous BFS from the seeds (all at depth 0), following a page's links
 * while its depth < `depth`, skipping nofollow links and nofollow pages, keeping links in scope of the seed
 * whose chain reached the page. Keys are nodes (`host:/path`); links are normalized like the crawler does.
 */
export function bfs(site: GraphSite, spec: GraphSpec, seeds: string[], o: BfsOptions): Map<string, BfsNode> {
  const out = new Map<string, BfsNode>();
  const seedOf = new Map<string, string>();
  let level: string[] = [];
  for (const s of seeds) {
    if (out.has(s)) continue;
    out.set(s, { depth: 0, parents: new Set() });
    seedOf.set(s, site.url(s));
    level.push(s);
  }
  for (let d = 0; d < o.depth && level.length > 0; d++) {
    const next: string[] = [];
    for (const node of level) {
      const page = spec[node];
      if (!page) continue;
      const robots = `${page.metaRobots ?? ''},${page.xRobots ?? ''}`;
      if (!o.followNofollow && NOFOLLOW.test(robots)) continue;
      for (const raw of page.links) {
        const l = typeof raw === 'string' ? { to: raw } : raw;
        if (!o.followNofollow && l.rel?.split(/\s+/).includes('nofollow')) continue;
        const href = l.to.includes(':') && !l.to.startsWith('http') ? site.url(l.to) : l.to;
        const n = normalizeUrl(href, {}, site.url(node));
        if (!n.ok) continue;
        const seed = seedOf.get(node)!;
        if (!inScope(n.url, seed, o.scope, o.include ?? [], o.exclude ?? [])) continue;
        const target = site.node(n.url);
        const known = out.get(target);
        if (known) {
          if (known.depth === d + 1) known.parents.add(node);
          continue;
        }
        out.set(target, { depth: d + 1, parents: new Set([node]) });
        seedOf.set(target, seed);
        next.push(target);
      }
    }
    level = next;
  }
  return out;
}
