/**
 * Link discovery: links of a page at depth d < --depth go back through the producer path (normalize, scope,
 * dedupe and budgets in Redis) at depth d+1. Scope is judged against the seed that started the chain.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CrawlSettings } from '../config.js';
import { normalizeUrl } from '../producer/normalize.js';
import { inScope } from '../producer/scope.js';
import { type SubmitItem, Submitter } from '../producer/submit.js';
import type { CrawlJobData, PageMetadata } from '../types.js';

const NOFOLLOW = /(^|[\s,])nofollow($|[\s,])/i;
const compiled = new WeakMap<CrawlSettings, { include: RegExp[]; exclude: RegExp[] }>();

function patterns(s: CrawlSettings) {
  let p = compiled.get(s);
  if (!p) {
    p = { include: s.include.map((r) => new RegExp(r)), exclude: s.exclude.map((r) => new RegExp(r)) };
    compiled.set(s, p);
  }
  return p;
}

/** The URLs a page contributes to the next depth, before dedupe and budgets. */
export function discoverLinks(job: CrawlJobData, s: CrawlSettings, meta: PageMetadata): SubmitItem[] {
  if (job.depth >= s.depth) return [];
  if (!s.followNofollow && meta.resolved.robots && NOFOLLOW.test(meta.resolved.robots)) return [];
  const { include, exclude } = patterns(s);
  const out: SubmitItem[] = [];
  const seen = new Set<string>();
  for (const link of meta.links) {
    if (!s.followNofollow && link.rel && NOFOLLOW.test(link.rel)) continue;
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
    private readonly queue: Queue<CrawlJobData>,
    private readonly prefix: string,
  ) {}

  async onPage(job: CrawlJobData, s: CrawlSettings, meta: PageMetadata): Promise<void> {
    const items = discoverLinks(job, s, meta);
    if (items.length === 0) return;
    let entry = this.submitters.get(job.crawl);
    if (!entry || entry.s !== s) {
      entry = { s, sub: new Submitter(this.redis, this.queue, this.prefix, job.crawl, s) };
      this.submitters.set(job.crawl, entry);
    }
    await entry.sub.addDiscovered(job.url, items);
  }
}
