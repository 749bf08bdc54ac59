/**
 * Submission: normalized URLs → fleet-wide dedupe (the crawl's seen set: 8-byte URL hashes in 65536 small Redis
 * hashes, see lua/reserve.lua) → BullMQ jobs. Nothing submitted may be lost, so:
 * - seeds: check the set, add the jobs (idempotent: job id = crawl + URL hash), and only then mark them seen;
 *   a crash in between re-adds the same job ids on the next submit, which BullMQ ignores.
 * - discovered links: reserve first (dedupe and page budgets in one atomic step, exact across the fleet), then
 *   add; the reservation names its owner page, so a retried parent re-adds its own children.
 * A URL found again at a shallower depth (or given as a seed) before its fetch started is upgraded in place.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CrawlSettings } from '../config.js';
import { FairShare } from '../control/index.js';
import { keys } from '../keys.js';
import { defineScript } from '../lua.js';
import { jobId } from '../queue.js';
import type { CrawlJobData } from '../types.js';
import { hostKey, urlHash } from '../url/normalize.js';

export interface SubmitItem {
  url: string;
  depth: number;
  from: string | null;
  seed: string;
  lastmod?: string | null;
}

export interface SubmitCounts {
  added: number;
  duplicates: number;
  overBudget: number;
}

/** Bytes of the discovering page's hash kept as a reservation's owner. */
const OWNER_BYTES = 4;

interface Keyed {
  item: SubmitItem;
  hash: Buffer;
  hex: string;
  host: string;
}

/** First retry delay; BullMQ doubles it per retry with ±50% jitter. METACRAWL_BACKOFF_MS shortens it (tests). */
function backoffBaseMs(): number {
  const v = Number(process.env.METACRAWL_BACKOFF_MS);
  return Number.isInteger(v) && v > 0 ? v : 1000;
}

export class Submitter {
  private readonly k;
  private readonly reserve;
  private readonly jobPrefix: string;
  private readonly fair: FairShare;

  constructor(
    private readonly redis: Redis,
    private readonly queue: Queue<CrawlJobData>,
    prefix: string,
    readonly crawl: string,
    private readonly settings: Pick<
      CrawlSettings,
      'retries' | 'priority' | 'politenessKey' | 'maxPages' | 'maxPagesPerHost'
    >,
  ) {
    this.k = keys(prefix);
    this.reserve = defineScript(redis, 'mcSubmitReserve', 'producer/lua/reserve.lua', 2);
    this.jobPrefix = queue.toKey(jobId(crawl, ''));
    this.fair = new FairShare(redis, prefix, crawl, settings.priority, queue.keys.prioritized);
  }

  private unique(items: SubmitItem[]): Keyed[] {
    const seen = new Set<string>();
    const out: Keyed[] = [];
    for (const item of items) {
      const hash = urlHash(item.url);
      const hex = hash.toString('hex');
      if (seen.has(hex)) continue;
      seen.add(hex);
      out.push({ item, hash, hex, host: hostKey(item.url, this.settings.politenessKey) });
    }
    return out;
  }

  /** Runs reserve.lua over `list` (all at one depth, parent and seed); returns a flag per item. */
  private async run(
    mode: 'seed' | 'link',
    list: Keyed[],
    owner: Buffer | '',
    parent: { depth: number; from: string | null; seed: string | null },
  ): Promise<number[]> {
    if (list.length === 0) return [];
    const args: Array<string | number | Buffer> = [
      mode,
      owner,
      parent.depth,
      parent.from ?? '',
      parent.seed ?? '',
      mode === 'link' ? (this.settings.maxPages ?? -1) : -1,
      mode === 'link' ? (this.settings.maxPagesPerHost ?? -1) : -1,
      this.k.crawlSeen(this.crawl),
      this.jobPrefix,
    ];
    for (const x of list) args.push(x.hex, x.hash.subarray(2), x.host);
    return (await this.reserve(
      this.k.crawlStats(this.crawl),
      this.k.crawlHosts(this.crawl),
      ...args,
    )) as number[];
  }

  private async addJobs(list: Keyed[]): Promise<void> {
    if (list.length === 0) return;
    const now = Date.now();
    // Every job carries a priority: crawls share the fleet in turns (src/control/fairness.ts).
    const priorities = await this.fair.next(list.length);
    await this.queue.addBulk(
      list.map(({ item, hex }, i) => ({
        name: 'page',
        data: {
          crawl: this.crawl,
          url: item.url,
          depth: item.depth,
          from: item.from,
          seed: item.seed,
          queuedAt: now,
          lastmod: item.lastmod ?? null,
        },
        opts: {
          jobId: jobId(this.crawl, hex),
          attempts: this.settings.retries + 1,
          backoff: { type: 'exponential', delay: backoffBaseMs(), jitter: 0.5 },
          removeOnComplete: true,
          removeOnFail: { count: 1000 },
          priority: priorities[i],
        },
      })),
    );
  }

  /** Seeds (the user asked for them: no scope, no budget, depth 0). Call with up to a few thousand items. */
  async addSeeds(items: SubmitItem[]): Promise<SubmitCounts> {
    if (items.length === 0) return { added: 0, duplicates: 0, overBudget: 0 };
    const list = this.unique(items);
    const seenPrefix = this.k.crawlSeen(this.crawl);
    const pipe = this.redis.pipeline();
    for (const x of list) pipe.hgetBuffer(`${seenPrefix}:${x.hex.slice(0, 4)}`, x.hash.subarray(2));
    const values = ((await pipe.exec()) ?? []).map(([err, v]) => {
      if (err) throw err;
      return v as Buffer | null;
    });
    const fresh = list.filter((_x, i) => values[i] === null);
    // Already queued by discovery at depth >= 1: made a seed in place if its fetch has not started.
    const upgradable = list.filter((_x, i) => values[i] !== null && (values[i] as Buffer)[0] > 0);
    await this.addJobs(fresh);
    const flags = await this.run('seed', [...fresh, ...upgradable], '', { depth: 0, from: null, seed: null });
    const added = flags.filter((f) => f === 1).length;
    const duplicates = items.length - added;
    const counted = flags.filter((f) => f === 0).length;
    if (duplicates > counted) {
      await this.redis.hincrby(this.k.crawlStats(this.crawl), 'duplicates', duplicates - counted);
    }
    return { added, duplicates, overBudget: 0 };
  }

  /** Links discovered on page `ownerUrl`: deduped, budgeted and depth-upgraded atomically, fleet-wide. */
  async addDiscovered(ownerUrl: string, items: SubmitItem[]): Promise<SubmitCounts> {
    if (items.length === 0) return { added: 0, duplicates: 0, overBudget: 0 };
    const owner = urlHash(ownerUrl).subarray(0, OWNER_BYTES);
    // One script call per (depth, parent, seed); discovery passes one page's links, so one group.
    const groups = new Map<string, Keyed[]>();
    for (const x of this.unique(items)) {
      const g = JSON.stringify([x.item.depth, x.item.from, x.item.seed]);
      const list = groups.get(g) ?? [];
      list.push(x);
      groups.set(g, list);
    }
    let added = 0;
    let overBudget = 0;
    for (const list of groups.values()) {
      const { depth, from, seed } = list[0].item;
      const flags = await this.run('link', list, owner, { depth, from, seed });
      await this.addJobs(list.filter((_x, i) => flags[i] === 1 || flags[i] === 2));
      added += flags.filter((f) => f === 1).length;
      overBudget += flags.filter((f) => f < 0).length;
    }
    return { added, duplicates: items.length - added - overBudget, overBudget };
  }
}
