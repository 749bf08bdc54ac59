/**
 * One job = one URL: robots → politeness gate → fetch → classify → extract → publish one record.
 * A job that must wait for its host is moved to BullMQ's delayed set (no sleeping on a slot, no retry spent).
 */
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WarcArchive } from '../archive/index.js';
import type { CrawlSettings, FetchConfig } from '../config.js';
import type { CrawlControl } from '../control/index.js';
import { addCustomFields, customFieldsOf } from '../custom-fields.js';
import { bullmq } from '../deps/bullmq.js';
import { type CrawlError, type ErrorCode, isCrawlError } from '../errors.js';
import {
  classifyStatus,
  type Fetcher,
  type FetchResult,
  parseRetryAfter,
  redactUrl,
} from '../fetch/index.js';
import { bodyHash, metaHashFields, metaHashOfJson } from '../hashes.js';
import type { Logger } from '../log.js';
import { extractResponse } from '../page-extract.js';
import { jobRecord } from '../records.js';
import type { CrawlJobData, PageMetadata, PageRecord } from '../types.js';
import { hostKey as hostKeyOf } from '../url/normalize.js';
import type { PolitenessGate } from './politeness/gate.js';
import { resolveLimits } from './politeness/gate.js';
import { type RobotsCache, RobotsFetchDeferred } from './politeness/robots.js';
import { decideRetry, isConnectionFailure } from './retry-policy.js';
import type { SettingsCache } from './settings.js';

/** A URL throttled (429) this many times ends as a HTTP_429 row instead of waiting forever. */
export const MAX_THROTTLES = 20;
/** Spread delayed retries so a host's waiting jobs do not all wake in the same millisecond. */
const DELAY_JITTER_MS = 50;

export interface JobData extends CrawlJobData {
  firstTriedAt?: number;
  throttles?: number;
  /** Times robots.txt was unavailable (5xx, unreachable) for this URL; each costs one attempt. */
  robotsTries?: number;
  /** The job waits for a turn it booked at the host's gate (acquire.lua), not for the next free slot. */
  booked?: boolean;
}

export interface ProcessDeps {
  redis: Redis;
  prefix: string;
  workerId: string;
  fetcher: Fetcher;
  fetchConfig: FetchConfig;
  gate: PolitenessGate;
  robots: RobotsCache;
  settings: SettingsCache;
  /**
   * `metaFields`, with a record that has metadata: the JSON text of metaHashFields(record.meta), which its
   * metaHash hashed (the stream's packed record reuses it rather than serialize the metadata again).
   */
  publish: (record: PageRecord, metaFields?: string) => Promise<void>;
  /** Called with a successfully extracted page (link discovery). */
  onPage?: (job: JobData, settings: CrawlSettings, meta: PageMetadata) => Promise<void>;
  logger: Logger;
  stats: WorkerStats;
  /** Crawl control (pause/cancel): true when the job was settled (src/control/hold.ts). */
  control?: CrawlControl;
  /** --archive: every fetched response is written here before its page is published. */
  archive?: WarcArchive;
  /** True once a forced stop has handed the in-flight jobs back: their fetch errors say nothing about the host. */
  abandoned?: () => boolean;
}

export interface WorkerStats {
  done: number;
  ok: number;
  failed: number;
  delayed: number;
  retried: number;
}

/** Whether the crawl follows this page's links (discovery needs its body, so it is never skipped). */
function followsLinks(d: JobData, settings: CrawlSettings): boolean {
  return d.depth < settings.depth;
}

/** If-None-Match / If-Modified-Since from the earlier crawl's row, unless its links are still to be followed. */
function conditional(d: JobData, settings: CrawlSettings): { headers?: Record<string, string> } {
  const s = d.since;
  if (!settings.since || !s || (!s.etag && !s.lastModified) || followsLinks(d, settings)) return {};
  const headers: Record<string, string> = {};
  if (s.etag) headers['if-none-match'] = s.etag;
  if (s.lastModified) headers['if-modified-since'] = s.lastModified;
  return { headers };
}

/** The job's record so far, `patches` assigned over it in order (as spreads would, for less CPU: see jobRecord). */
function baseRecord(
  d: JobData,
  attempts: number,
  queuedMs: number,
  ...patches: Partial<PageRecord>[]
): PageRecord {
  const record = jobRecord(d, attempts);
  record.queuedMs = queuedMs;
  return patches.length === 0 ? record : Object.assign(record, ...patches);
}

async function delay(
  job: Job<JobData>,
  token: string,
  waitMs: number,
  patch: Partial<JobData>,
  jitter = true,
): Promise<never> {
  const d = job.data;
  const next: JobData = { ...d, ...patch };
  if (next.firstTriedAt === undefined) next.firstTriedAt = Date.now();
  if (next.firstTriedAt !== d.firstTriedAt || Object.keys(patch).length > 0) await job.updateData(next);
  await job.moveToDelayed(
    Date.now() + Math.max(1, Math.ceil(waitMs)) + (jitter ? Math.floor(Math.random() * DELAY_JITTER_MS) : 0),
    token,
  );
  throw new bullmq.DelayedError();
}

export async function processJob(deps: ProcessDeps, job: Job<JobData>, token: string): Promise<void> {
  const d = job.data;
  const attempts = job.attemptsMade + 1;
  const maxAttempts = job.opts.attempts ?? 1;
  const settings = await deps.settings.get(d.crawl);
  const hostKey = hostKeyOf(d.url, settings.politenessKey);
  const lease = `${deps.workerId}:${job.id}`;
  // Time spent waiting for politeness (robots fetch slot, rate, concurrency, pauses) until the slot is granted.
  let queuedMs = d.firstTriedAt ? Date.now() - d.firstTriedAt : 0;

  const finish = async (record: PageRecord, metaFields?: string) => {
    await deps.publish(record, metaFields);
    deps.stats.done++;
    if (record.error) deps.stats.failed++;
    else deps.stats.ok++;
  };
  const fail = async (
    err: CrawlError | { code: ErrorCode; message: string; status?: number | null },
    partial?: Partial<PageRecord>,
  ) => {
    const code = err.code;
    if (decideRetry(code, job.attemptsMade, maxAttempts) === 'retry') {
      deps.stats.retried++;
      throw err;
    }
    const suffix = attempts > 1 ? ` after ${attempts} attempts` : '';
    await finish(
      baseRecord(d, attempts, queuedMs, partial ?? {}, {
        error: code,
        errorDetail: `${err.message}${suffix}`,
        status: partial?.status ?? ('status' in err ? (err.status ?? null) : null),
      }),
    );
  };

  if (await deps.control?.hold(job, token, finish)) return;

  // --since with --trust-lastmod: the sitemap says the page did not change since the earlier fetch.
  const since = settings.since ?? null;
  if (since && d.since?.skip) {
    await finish(baseRecord(d, 0, queuedMs, { since, unchanged: 'lastmod' }));
    return;
  }

  // 1. robots.txt first, holding no slot: its own fetch takes a slot of this host key's budget (index.ts).
  const baseLimits = { ratePerSec: settings.hostRate, concurrency: settings.hostConcurrency };
  let crawlDelaySec: number | null = null;
  if (!settings.ignoreRobots) {
    let verdict: Awaited<ReturnType<RobotsCache['check']>>;
    try {
      verdict = await deps.robots.check(d.url, undefined, {
        crawl: d.crawl,
        hostKey,
        limits: resolveLimits(hostKey, baseLimits, settings.overrides, null),
      });
    } catch (err) {
      if (err instanceof RobotsFetchDeferred) {
        deps.stats.delayed++;
        return delay(job, token, err.waitMs, {});
      }
      // No request to this host can succeed (blocked address, NXDOMAIN, TLS): the page ends with that code.
      if (isCrawlError(err)) return fail(err);
      throw err;
    }
    if (!verdict.allowed && verdict.code === 'ROBOTS_UNAVAILABLE') {
      // RFC 9309 §2.3.1.4: disallowed for now. Ask again once the fleet's cached failure expires; each
      // such wait costs one attempt, and the page ends as ROBOTS_UNAVAILABLE when none are left.
      const robotsTries = (d.robotsTries ?? 0) + 1;
      if (robotsTries < maxAttempts) {
        deps.stats.delayed++;
        return delay(job, token, verdict.retryAfterMs ?? 1000, { robotsTries });
      }
      await finish(
        baseRecord(d, robotsTries, queuedMs, {
          error: 'ROBOTS_UNAVAILABLE',
          errorDetail: `GET ${redactUrl(d.url)} → robots.txt unavailable${robotsTries > 1 ? ` after ${robotsTries} attempts` : ''}`,
        }),
      );
      return;
    }
    if (!verdict.allowed) {
      await fail({ code: verdict.code, message: `GET ${redactUrl(d.url)} → disallowed by robots.txt` });
      return;
    }
    crawlDelaySec = verdict.crawlDelaySec;
  }

  // 2. The politeness gate: one slot per request to the host.
  const limits = resolveLimits(hostKey, baseLimits, settings.overrides, crawlDelaySec);
  // A waiting job books a turn, so a host's waiting jobs wake one at a time (acquire.lua).
  const grant = await deps.gate.acquire(d.crawl, hostKey, limits, lease, d.booked ? 'booked' : 'book');
  if (!grant.granted) {
    deps.stats.delayed++;
    const patch: Partial<JobData> = grant.booked && !d.booked ? { booked: true } : {};
    return delay(job, token, grant.waitMs, patch, !grant.booked);
  }
  queuedMs = d.firstTriedAt ? Date.now() - d.firstTriedAt : 0;

  // Given back once, as soon as the response is in; the page is extracted meanwhile (the release travels with
  // the next acquire, see gate.ts). A release that fails costs nothing but the lease's expiry.
  let released: Promise<void> | null = null;
  const release = (ok = false): Promise<void> => {
    released ??= deps.gate.release(d.crawl, hostKey, lease, ok).catch((err) => {
      deps.logger.debug({ err: (err as Error).message }, 'gate release failed: the lease expires instead');
    });
    return released;
  };
  try {
    // 3. Fetch, unless the crawl was paused or cancelled meanwhile (the slot is released below).
    if (await deps.control?.hold(job, token, finish)) return;
    let res: FetchResult;
    try {
      res = await deps.fetcher.fetch(d.url, {
        ...conditional(d, settings),
        ...(deps.archive ? { capture: true } : {}),
      });
    } catch (err) {
      if (!isCrawlError(err) || deps.abandoned?.()) throw err;
      if (isConnectionFailure(err.code)) await deps.gate.recordHostEvent(hostKey, 'conn-failure', null);
      await release();
      await fail(err);
      return;
    }

    // Archived before anything is decided or published: a page whose records could not be written gets no row.
    const archive = deps.archive && res.exchanges ? await deps.archive.write(res.exchanges) : null;
    const partial: Partial<PageRecord> = {
      ...(archive && deps.archive ? { archive: { ...archive, dir: deps.archive.dir } } : {}),
      finalUrl: res.finalUrl,
      status: res.status,
      contentType: res.contentType,
      elapsedMs: res.elapsedMs,
      bytes: res.bytes,
      truncated: res.truncated,
      redirects: res.redirects,
      headers: res.headers,
    };

    // 4. Throttling costs no attempt: pause the host fleet-wide and try again after the pause. The pause
    // is recorded before the slot is given back, so no worker can slip a request in between.
    const retryAfter = parseRetryAfter(res.headers['retry-after']);
    if (res.status === 429 || (res.status === 503 && retryAfter !== null)) {
      const pauseMs = await deps.gate.recordHostEvent(hostKey, 'throttled', retryAfter);
      await release();
      const throttles = (d.throttles ?? 0) + 1;
      if (throttles < MAX_THROTTLES) {
        deps.stats.delayed++;
        return delay(job, token, Math.max(pauseMs, 1), { throttles });
      }
    }
    const statusCode = classifyStatus(res.status);
    if (res.status === 503) await deps.gate.recordHostEvent(hostKey, 'throttled', null);
    // A success resets the host's failure streak as the slot is given back (in the same call).
    void release(!statusCode);
    if (statusCode) {
      await fail(
        { code: statusCode, message: `GET ${redactUrl(d.url)} → ${res.status}`, status: res.status },
        partial,
      );
      return;
    }

    // A re-crawl: not modified since the earlier crawl's validators (no body, nothing to extract).
    if (since && res.status === 304) {
      await finish(baseRecord(d, attempts, queuedMs, partial, { since, unchanged: 'not-modified' }));
      return;
    }

    // 5. Content policy, decode, extract. A re-crawl first compares the body with the earlier crawl's (a page
    // with an earlier row was HTML then): the same body has the same metadata, unless its links are still to be
    // followed.
    const hashed = since ? bodyHash(res.body) : null;
    if (hashed !== null && hashed === d.since?.bodyHash && !followsLinks(d, settings)) {
      await finish(
        baseRecord(d, attempts, queuedMs, partial, { bodyHash: hashed, since, unchanged: 'same-body' }),
      );
      return;
    }
    const page = extractResponse(d.url, res.finalUrl, res.body, res.headers, deps.fetchConfig.maxLinks);
    if (!page.ok) {
      await finish(
        baseRecord(d, attempts, queuedMs, partial, { error: page.error, errorDetail: page.errorDetail }),
      );
      return;
    }
    const meta = page.meta;
    addCustomFields(meta, settings, page.text, page.decoded);
    // Discovered links are submitted before this page's row is published, so "every submitted URL has a row"
    // can never look true while children are still on their way.
    if (deps.onPage) await deps.onPage(d, settings, meta);
    const fields = JSON.stringify(metaHashFields(meta));
    const record = baseRecord(d, attempts, queuedMs, partial, {
      encoding: page.encoding,
      meta,
      bodyHash: hashed ?? bodyHash(res.body),
      metaHash: metaHashOfJson(fields),
    });
    if (since) {
      record.since = since;
      // Known unchanged: the store takes the earlier row's metadata, so the record need not carry it; the
      // crawl's own fields ran on the new body, so they travel.
      if (record.metaHash === d.since?.metaHash) {
        record.custom = customFieldsOf(meta);
        record.meta = null;
        record.unchanged = 'same-metadata';
      }
    }
    await finish(record, record.meta ? fields : undefined);
  } finally {
    await release();
  }
}
