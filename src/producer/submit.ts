/**
 * Submission: normalized URLs → fleet-wide dedupe (a per-crawl Redis hash keyed by 8-byte URL hashes) → BullMQ
 * jobs. Nothing submitted may be lost, so:
 * - seeds: check the hash, add the jobs (idempotent: job id = crawl + URL hash), and only then mark them seen;
 *   a crash in between re-adds the same job ids on the next submit, which BullMQ ignores.
 * - discovered links: reserve first (reserve.lua: dedupe and page budgets in one atomic step, exact across the
 *   fleet), then add; the reservation names its owner page, so a retried parent re-adds its own children.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CrawlSettings } from '../config.js';
import { keys } from '../keys.js';
import { defineScript } from '../lua.js';
import { jobId } from '../queue.js';
import type { CrawlJobData } from '../types.js';
import { hostKey, urlHash } from './normalize.js';

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

const SEED_OWNER = 's';

export class Submitter {
  private readonly k;
  private readonly mark;
  private readonly reserve;

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
    this.mark = defineScript(redis, 'mcSubmitMark', 'producer/lua/mark.lua', 3);
    this.reserve = defineScript(redis, 'mcSubmitReserve', 'producer/lua/reserve.lua', 3);
  }

  private unique(items: SubmitItem[]): Array<{ item: SubmitItem; hash: Buffer; host: string }> {
    const seen = new Set<string>();
    const out: Array<{ item: SubmitItem; hash: Buffer; host: string }> = [];
    for (const item of items) {
      const hash = urlHash(item.url);
      const hex = hash.toString('hex');
      if (seen.has(hex)) continue;
      seen.add(hex);
      out.push({ item, hash, host: hostKey(item.url, this.settings.politenessKey) });
    }
    return out;
  }

  private async addJobs(list: Array<{ item: SubmitItem; hash: Buffer }>): Promise<void> {
    if (list.length === 0) return;
    const now = Date.now();
    await this.queue.addBulk(
      list.map(({ item, hash }) => ({
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
          jobId: jobId(this.crawl, hash.toString('hex')),
          attempts: this.settings.retries + 1,
          backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
          removeOnComplete: true,
          removeOnFail: { count: 1000 },
          ...(this.settings.priority > 0 ? { priority: this.settings.priority } : {}),
        },
      })),
    );
  }

  /** Seeds (the user asked for them: no scope, no budget). Call with up to a few thousand items. */
  async addSeeds(items: SubmitItem[]): Promise<SubmitCounts> {
    if (items.length === 0) return { added: 0, duplicates: 0, overBudget: 0 };
    const list = this.unique(items);
    const seenKey = this.k.crawlSeen(this.crawl);
    const owners = await this.redis.hmgetBuffer(seenKey, ...list.map((x) => x.hash));
    const fresh = list.filter((_x, i) => owners[i] === null);
    await this.addJobs(fresh);
    let added = 0;
    if (fresh.length > 0) {
      const args: Array<string | Buffer> = [SEED_OWNER];
      for (const x of fresh) args.push(x.hash, x.host);
      added = Number(
        await this.mark(seenKey, this.k.crawlStats(this.crawl), this.k.crawlHosts(this.crawl), ...args),
      );
    }
    const duplicates = items.length - added;
    if (fresh.length === 0 && duplicates > 0) {
      await this.redis.hincrby(this.k.crawlStats(this.crawl), 'duplicates', duplicates);
    }
    return { added, duplicates, overBudget: 0 };
  }

  /** Links discovered on page `ownerUrl`: deduped and budgeted atomically, fleet-wide. */
  async addDiscovered(ownerUrl: string, items: SubmitItem[]): Promise<SubmitCounts> {
    if (items.length === 0) return { added: 0, duplicates: 0, overBudget: 0 };
    const list = this.unique(items);
    const args: Array<string | number | Buffer> = [
      urlHash(ownerUrl),
      this.settings.maxPages ?? -1,
      this.settings.maxPagesPerHost ?? -1,
    ];
    for (const x of list) args.push(x.hash, x.host);
    const flags = (await this.reserve(
      this.k.crawlSeen(this.crawl),
      this.k.crawlStats(this.crawl),
      this.k.crawlHosts(this.crawl),
      ...args,
    )) as number[];
    const toAdd = list.filter((_x, i) => flags[i] === 1 || flags[i] === 2);
    await this.addJobs(toAdd);
    const added = flags.filter((f) => f === 1).length;
    const overBudget = flags.filter((f) => f < 0).length;
    return { added, duplicates: items.length - added - overBudget, overBudget };
  }
}
