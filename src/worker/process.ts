/**
 * One job = one URL: robots → politeness gate → fetch → classify → extract → publish one record.
 * A job that must wait for its host is moved to BullMQ's delayed set (no sleeping on a slot, no retry spent).
 */
import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CrawlSettings, FetchConfig } from '../config.js';
import { type CrawlError, type ErrorCode, isCrawlError } from '../errors.js';
import type { Logger } from '../log.js';
import { hostKey as hostKeyOf } from '../producer/normalize.js';
import type { CrawlJobData, PageMetadata, PageRecord } from '../types.js';
import { extract } from './extract/index.js';
import {
  classifyStatus,
  decodeHtml,
  type Fetcher,
  type FetchResult,
  isHtmlType,
  looksBinary,
  parseRetryAfter,
} from './fetch/index.js';
import { decideOutcome, isConnectionFailure } from './outcome.js';
import type { PolitenessGate } from './politeness/gate.js';
import { resolveLimits } from './politeness/gate.js';
import { type RobotsCache, RobotsFetchDeferred } from './politeness/robots.js';
import type { SettingsCache } from './settings.js';

/** A URL throttled (429) this many times ends as a HTTP_429 row instead of waiting forever. */
export const MAX_THROTTLES = 20;
/** Spread delayed retries so a host's waiting jobs do not all wake in the same millisecond. */
const DELAY_JITTER_MS = 50;

export interface JobData extends CrawlJobData {
  firstTriedAt?: number;
  throttles?: number;
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
  publish: (record: PageRecord) => Promise<void>;
  /** Called with a successfully extracted page (link discovery). */
  onPage?: (job: JobData, settings: CrawlSettings, meta: PageMetadata) => Promise<void>;
  logger: Logger;
  stats: WorkerStats;
}

export interface WorkerStats {
  done: number;
  ok: number;
  failed: number;
  delayed: number;
  retried: number;
}

function baseRecord(d: JobData, attempts: number): PageRecord {
  return {
    crawl: d.crawl,
    url: d.url,
    depth: d.depth,
    discoveredFrom: d.from,
    finalUrl: null,
    status: null,
    contentType: null,
    error: null,
    errorDetail: null,
    attempts,
    fetchedAt: new Date().toISOString(),
    elapsedMs: null,
    queuedMs: d.firstTriedAt ? Date.now() - d.firstTriedAt : 0,
    bytes: null,
    truncated: false,
    redirects: [],
    headers: null,
    encoding: null,
    lastmod: d.lastmod ?? null,
    meta: null,
  };
}

async function delay(
  job: Job<JobData>,
  token: string,
  waitMs: number,
  patch: Partial<JobData>,
): Promise<never> {
  const d = job.data;
  const next: JobData = { ...d, ...patch };
  if (next.firstTriedAt === undefined) next.firstTriedAt = Date.now();
  if (next.firstTriedAt !== d.firstTriedAt || next.throttles !== d.throttles) await job.updateData(next);
  await job.moveToDelayed(
    Date.now() + Math.max(1, Math.ceil(waitMs)) + Math.floor(Math.random() * DELAY_JITTER_MS),
    token,
  );
  throw new DelayedError();
}

export async function processJob(deps: ProcessDeps, job: Job<JobData>, token: string): Promise<void> {
  const d = job.data;
  const attempts = job.attemptsMade + 1;
  const maxAttempts = job.opts.attempts ?? 1;
  const settings = await deps.settings.get(d.crawl);
  const hostKey = hostKeyOf(d.url, settings.politenessKey);
  const lease = `${deps.workerId}:${job.id}`;

  const finish = async (record: PageRecord) => {
    await deps.publish(record);
    deps.stats.done++;
    if (record.error) deps.stats.failed++;
    else deps.stats.ok++;
  };
  const fail = async (
    err: CrawlError | { code: ErrorCode; message: string; status?: number | null },
    partial?: Partial<PageRecord>,
  ) => {
    const code = err.code;
    if (decideOutcome(code, job.attemptsMade, maxAttempts) === 'retry') {
      deps.stats.retried++;
      throw err;
    }
    const suffix = attempts > 1 ? ` after ${attempts} attempts` : '';
    await finish({
      ...baseRecord(d, attempts),
      ...partial,
      error: code,
      errorDetail: `${err.message}${suffix}`,
      status: partial?.status ?? ('status' in err ? (err.status ?? null) : null),
    });
  };

  // 1. robots.txt first, holding no slot: its own fetch takes a slot of the host's budget (see worker.ts).
  const baseLimits = { ratePerSec: settings.hostRate, concurrency: settings.hostConcurrency };
  let crawlDelaySec: number | null = null;
  if (!settings.ignoreRobots) {
    let verdict: Awaited<ReturnType<RobotsCache['check']>>;
    try {
      verdict = await deps.robots.check(d.url);
    } catch (err) {
      if (!(err instanceof RobotsFetchDeferred)) throw err;
      deps.stats.delayed++;
      return delay(job, token, err.waitMs, {});
    }
    if (!verdict.allowed) {
      const what =
        verdict.code === 'ROBOTS_DISALLOWED' ? 'disallowed by robots.txt' : 'robots.txt unavailable';
      await fail({ code: verdict.code, message: `GET ${redactUrl(d.url)} → ${what}` });
      return;
    }
    crawlDelaySec = verdict.crawlDelaySec;
  }

  // 2. The politeness gate: one slot per request to the host.
  const limits = resolveLimits(hostKey, baseLimits, settings.overrides, crawlDelaySec);
  const grant = await deps.gate.acquire(hostKey, limits, lease);
  if (!grant.granted) {
    deps.stats.delayed++;
    return delay(job, token, grant.waitMs, {});
  }

  let released = false;
  const release = async () => {
    if (!released) {
      released = true;
      await deps.gate.release(hostKey, lease);
    }
  };
  try {
    // 3. Fetch.
    let res: FetchResult;
    try {
      res = await deps.fetcher.fetch(d.url);
    } catch (err) {
      if (!isCrawlError(err)) throw err;
      if (isConnectionFailure(err.code)) await deps.gate.recordOutcome(hostKey, 'conn-failure', null);
      await release();
      await fail(err);
      return;
    }
    await release();

    const partial: Partial<PageRecord> = {
      finalUrl: res.finalUrl,
      status: res.status,
      contentType: res.contentType,
      elapsedMs: res.elapsedMs,
      bytes: res.bytes,
      truncated: res.truncated,
      redirects: res.redirects,
      headers: res.headers,
    };

    // 4. Throttling costs no attempt: pause the host fleet-wide and try again after the pause.
    const retryAfter = parseRetryAfter(res.headers['retry-after']);
    if (res.status === 429 || (res.status === 503 && retryAfter !== null)) {
      const pauseMs = await deps.gate.recordOutcome(hostKey, 'throttled', retryAfter);
      const throttles = (d.throttles ?? 0) + 1;
      if (throttles < MAX_THROTTLES) {
        deps.stats.delayed++;
        return delay(job, token, Math.max(pauseMs, 1), { throttles });
      }
    }
    const statusCode = classifyStatus(res.status);
    if (statusCode) {
      if (res.status === 503) await deps.gate.recordOutcome(hostKey, 'throttled', null);
      await fail(
        { code: statusCode, message: `GET ${redactUrl(d.url)} → ${res.status}`, status: res.status },
        partial,
      );
      return;
    }
    await deps.gate.recordOutcome(hostKey, 'ok', null);

    // 5. Content policy, decode, extract.
    const ct = res.contentType;
    if (ct !== null && !isHtmlType(ct)) {
      await finish({
        ...baseRecord(d, attempts),
        ...partial,
        error: 'NOT_HTML',
        errorDetail: `GET ${redactUrl(d.url)} → ${ct}, not parsed`,
      });
      return;
    }
    if (looksBinary(res.body)) {
      await finish({
        ...baseRecord(d, attempts),
        ...partial,
        error: 'BINARY_CONTENT',
        errorDetail: `GET ${redactUrl(d.url)} → binary bytes served as ${ct ?? 'no content type'}`,
      });
      return;
    }
    const decoded = decodeHtml(res.body, res.headers['content-type'] ?? null);
    const meta = extract(decoded.html, res.finalUrl, {
      maxLinks: deps.fetchConfig.maxLinks,
      headers: res.headers,
    });
    // Discovered links are submitted before this page's row is published, so "every submitted URL has a row"
    // can never look true while children are still on their way.
    if (deps.onPage) await deps.onPage(d, settings, meta);
    await finish({ ...baseRecord(d, attempts), ...partial, encoding: decoded.encoding, meta });
  } finally {
    await release();
  }
}

/** Never log or store credentials of a URL. */
export function redactUrl(url: string): string {
  if (!url.includes('@')) return url;
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    return u.toString();
  } catch {
    return url;
  }
}
