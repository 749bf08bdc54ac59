/**
 * Link discovery: links of a page at depth d < --depth go back through the producer path (normalize, scope,
 * dedupe and budgets in Redis) at depth d+1. Scope is judged against the seed that started the chain.
 */
import type { Redis } from 'ioredis';
import type { CrawlSettings } from '../config.js';
import { type SubmitItem, Submitter } from '../producer/index.js';
import { productToken } from '../robots/rules.js';
import type { CrawlJobData, PageMetadata } from '../types.js';
import { normalizeUrl } from '../url/normalize.js';
import { inScope } from '../url/scope.js';

const compiled = new WeakMap<CrawlSettings, { include: RegExp[]; exclude: RegExp[] }>();

function patterns(s: CrawlSettings) {
  let p = compiled.get(s);
  if (!p) {
    p = { include: s.include.map((r) => new RegExp(r)), exclude: s.exclude.map((r) => new RegExp(r)) };
    compiled.set(s, p);
  }
  return p;
}

/** `rel` holds the nofollow token (rel is a space-separated token list). */
export function relNofollow(rel: string | null): boolean {
  return (
    rel
      ?.toLowerCase()
      .split(/[\s,]+/)
      .includes('nofollow') ?? false
  );
}

/**
 * Robots directives (meta robots and X-Robots-Tag, merged as "noindex, nofollow") forbid following links:
 * `nofollow` or `none`, bare or scoped to our product token (`metacrawl: nofollow`); a directive scoped to
 * another crawler (`googlebot: nofollow`) is not ours.
 */
export function robotsNofollow(robots: string | null, userAgent = 'metacrawl'): boolean {
  if (!robots) return false;
  const me = productToken(userAgent).toLowerCase();
  for (const part of robots.toLowerCase().split(',')) {
    const colon = part.indexOf(':');
    const agent = colon === -1 ? null : part.slice(0, colon).trim();
    const directive = (colon === -1 ? part : part.slice(colon + 1)).trim();
    if (directive !== 'nofollow' && directive !== 'none') continue;
    if (agent === null || agent === me) return true;
  }
  return false;
}

/** The URLs a page contributes to the next depth, before dedupe and budgets. */
export function discoverLinks(
  job: CrawlJobData,
  s: CrawlSettings,
  meta: PageMetadata,
  userAgent?: string,
): SubmitItem[] {
  if (job.depth >= s.depth) return [];
  if (!s.followNofollow && robotsNofollow(meta.resolved.robots, userAgent)) return [];
  const { include, exclude } = patterns(s);
  const out: SubmitItem[] = [];
  const seen = new Set<string>();
  for (const link of meta.links) {
    if (!s.followNofollow && relNofollow(link.rel)) continue;
    const n = normalizeUrl(link.url, {
      maxUrlLength: s.maxUrlLength,
      stripParams: s.stripParams,
      sortQuery: s.sortQuery,
    });
    if (!n.ok || seen.has(n.url)) continue;
    seen.add(n.url);
    if (!inScope(n.url, job.seed, s.scope, include, exclude)) continue;
    out.push({ url: n.url, depth: job.depth + 1, from: job.url, seed: job.seed });
  }
  return out;
}

export class Discoverer {
  private readonly submitters = new Map<string, { s: CrawlSettings; sub: Submitter }>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** The crawler's User-Agent: its product token selects `<token>: nofollow` robots directives. */
    private readonly userAgent?: string,
  ) {}

  async onPage(job: CrawlJobData, s: CrawlSettings, meta: PageMetadata): Promise<void> {
    const items = discoverLinks(job, s, meta, this.userAgent);
    if (items.length === 0) return;
    let entry = this.submitters.get(job.crawl);
    if (!entry || entry.s !== s) {
      entry = { s, sub: new Submitter(this.redis, this.prefix, job.crawl, s) };
      this.submitters.set(job.crawl, entry);
    }
    await entry.sub.addDiscovered(items);
  }
}
