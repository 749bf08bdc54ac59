/**
 * Sharing one fleet between crawls. BullMQ serves the lowest priority number first and is FIFO within a
 * priority, so every job gets a priority = its crawl's class band + a level:
 *
 * - class: `--priority 1..9` (1 first; the default 0 means 5). Classes are strict: a class-4 crawl's jobs
 *   all go before class-5 jobs that are waiting.
 * - level, within a class: a crawl's jobs are numbered 0, 1, 2, ... as they are queued (seeds and discovered
 *   links alike) and job s gets level base + floor(s / TURN). Workers take the lowest level first, so the
 *   crawls of a class are served in turns of TURN URLs each, round robin. A crawl's base is the level the
 *   fleet is serving when it starts (the lowest level of its class waiting in the queue), so a crawl
 *   submitted later joins the rotation at once: it neither waits behind a huge crawl's backlog nor jumps
 *   ahead of crawls already running.
 *
 * Levels stop at LEVELS - 1 (TURN * LEVELS = 200 million URLs of one crawl; beyond that its jobs are FIFO).
 */
import type { Redis } from 'ioredis';
import { positiveInt } from '../config.js';
import { keys } from '../keys.js';
import { defineScript, type ScriptFn } from '../lua.js';
import { priorityClass } from '../priority.js';

/** URLs a crawl gets per turn, unless the caller passes its own (tests use small turns). */
export const TURN = 1000;
/** Levels per class: 9 classes * 200,000 stay under BullMQ's highest priority (2,097,152). */
export const LEVELS = 200_000;
// Priority classes are shared code (src/priority.ts): the CLI validates --priority without loading this stage.
export { CLASSES, crawlPriority, DEFAULT_CLASS, priorityClass } from '../priority.js';

export interface FairShareOptions {
  /** URLs per turn: a positive integer, default TURN. */
  turn?: number;
}

/**
 * The test hook METACRAWL_FAIR_TURN, read here only until the callers (the submitter, the worker's
 * discovery) are handed `turn` from the CLI's edge; a value that is not a positive integer is refused.
 */
function turnFromEnv(): number {
  const v = process.env.METACRAWL_FAIR_TURN;
  return v ? positiveInt('METACRAWL_FAIR_TURN', v) : TURN;
}

/** The BullMQ priority of level 0 of a class. */
export function classFirstPriority(cls: number): number {
  return (cls - 1) * LEVELS + 1;
}

export class FairShare {
  private readonly script: ScriptFn;
  private readonly statsKey: string;
  private readonly prioritizedKey: string;
  private readonly first: number;
  private readonly turn: number;

  constructor(
    redis: Redis,
    prefix: string,
    crawl: string,
    priority: number,
    prioritizedKey: string,
    opts: FairShareOptions = {},
  ) {
    this.script = defineScript(redis, 'mcFairShare', 'control/lua/fair.lua', 2);
    this.statsKey = keys(prefix).crawlStats(crawl);
    this.prioritizedKey = prioritizedKey;
    this.first = classFirstPriority(priorityClass(priority));
    this.turn = opts.turn === undefined ? turnFromEnv() : positiveInt('the fair-share turn', opts.turn);
  }

  /** BullMQ priorities for the crawl's next n jobs, in queueing order. */
  async next(n: number): Promise<number[]> {
    if (n === 0) return [];
    const [base, seq] = (await this.script(this.statsKey, this.prioritizedKey, n, this.first, LEVELS)) as [
      number,
      number,
    ];
    const t = this.turn;
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.first + Math.min(LEVELS - 1, base + Math.floor((seq + i) / t));
    return out;
  }
}
