/**
 * Submission: normalized URLs → the crawl's seen set (8-byte URL hashes in 65536 small Redis hashes) and its
 * frontier (one compact entry per waiting URL, per host key), in one atomic step per batch (lua/reserve.lua).
 * Feeders in the workers move frontier entries into the queue as it drains (src/frontier). A batch is all or
 * nothing, so a submit killed half-way and run again loses nothing and queues nothing twice.
 * Discovered links go the same way, with their budgets checked in the same step (exact across the fleet).
 * A URL found again at a shallower depth (or given as a seed) before its fetch started is upgraded in place.
 */
import type { Redis } from 'ioredis';
import type { CrawlSettings } from '../config.js';
import { jobId } from '../crawls.js';
import { encodeEntry } from '../frontier/entry.js';
import { keys, QUEUE_NAME } from '../keys.js';
import { defineScript } from '../lua.js';
import type { SinceData } from '../types.js';
import { hostKey, urlHashLatin1 } from '../url/normalize.js';

const NON_ASCII = /[^\x00-\x7f]/;

/** The first two bytes of a latin1 hash as 4 hex digits (the seen set's bucket). */
function hex4(key: string): string {
  return ((key.charCodeAt(0) << 8) | key.charCodeAt(1)).toString(16).padStart(4, '0');
}

export interface SubmitItem {
  url: string;
  depth: number;
  from: string | null;
  /** The seed of the chain (scope is judged against it before submission; not stored). */
  seed: string;
  lastmod?: string | null;
  /** The earlier crawl's validators and hashes of the URL (a crawl run --since). */
  since?: SinceData | null;
}

export interface SubmitCounts {
  added: number;
  duplicates: number;
  overBudget: number;
}

export class Submitter {
  private readonly k;
  private readonly reserve;
  private readonly jobPrefix: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    readonly crawl: string,
    private readonly settings: Pick<CrawlSettings, 'politenessKey' | 'maxPages' | 'maxPagesPerHost'>,
  ) {
    this.k = keys(prefix);
    this.reserve = defineScript(redis, 'mcSubmitReserve', 'producer/lua/reserve.lua', 4);
    this.jobPrefix = `${this.k.bullPrefix}:${QUEUE_NAME}:${jobId(crawl, '')}`;
  }

  /** Runs reserve.lua over `items`, once each URL (first occurrence wins); returns a flag per unique item. */
  private async run(mode: 'seed' | 'link', items: SubmitItem[]): Promise<number[]> {
    const args: Array<string | number | Buffer> = [
      mode,
      mode === 'link' ? (this.settings.maxPages ?? -1) : -1,
      this.settings.maxPagesPerHost ?? -1,
      this.k.crawlSeen(this.crawl),
      this.jobPrefix,
      this.k.crawlPending(this.crawl),
      this.crawl,
    ];
    const seen = new Set<string>();
    const packed: string[] = [];
    for (const item of items) {
      // No Buffer per URL: at a million seeds, their backing stores alone held ~20 MB of RSS until collected.
      const key = urlHashLatin1(item.url);
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = encodeEntry({
        url: item.url,
        depth: item.depth,
        from: item.from,
        lastmod: item.lastmod ?? null,
        since: item.since ?? null,
      });
      // One byte per char below (latin1): the field is binary, and text outside ASCII goes as its UTF-8 bytes.
      const text = `${hostKey(item.url, this.settings.politenessKey)} ${entry}`;
      packed.push(
        `${hex4(key)}${key.slice(2)}${NON_ASCII.test(text) ? Buffer.from(text).toString('latin1') : text}`,
      );
    }
    if (packed.length === 0) return [];
    args.push(Buffer.from(packed.join('\r'), 'latin1'));
    return (await this.reserve(
      this.k.crawlStats(this.crawl),
      this.k.crawlHosts(this.crawl),
      this.k.crawlRing(this.crawl),
      this.k.frontierCrawls,
      ...args,
    )) as number[];
  }

  /** Seeds (the user asked for them: no scope, no budget, depth 0). Call with up to a few thousand items. */
  async addSeeds(items: SubmitItem[]): Promise<SubmitCounts> {
    if (items.length === 0) return { added: 0, duplicates: 0, overBudget: 0 };
    const flags = await this.run('seed', items);
    const added = flags.filter((f) => f === 1).length;
    const duplicates = items.length - added;
    // reserve.lua counted the duplicates it saw; repeats within the batch and upgrades are counted here.
    const counted = flags.filter((f) => f === 0).length;
    if (duplicates > counted) {
      await this.redis.hincrby(this.k.crawlStats(this.crawl), 'duplicates', duplicates - counted);
    }
    return { added, duplicates, overBudget: 0 };
  }

  /** Links discovered on one page: deduped, budgeted and depth-upgraded atomically, fleet-wide. */
  async addDiscovered(items: SubmitItem[]): Promise<SubmitCounts> {
    if (items.length === 0) return { added: 0, duplicates: 0, overBudget: 0 };
    const flags = await this.run('link', items);
    const added = flags.filter((f) => f === 1).length;
    const overBudget = flags.filter((f) => f < 0).length;
    return { added, duplicates: items.length - added - overBudget, overBudget };
  }
}
