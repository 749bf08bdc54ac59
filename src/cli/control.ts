/** `metacrawl pause|resume|cancel --crawl <name>`: fleet-wide crawl control (src/control). */
import { type ControlResult, cancelCrawl, pauseCrawl, resumeCrawl } from '../control/index.js';
import { type CliIO, line } from './io.js';
import { findRedis, withRedis } from './redis-target.js';

export type ControlAction = 'pause' | 'resume' | 'cancel';

export interface ControlCommandOptions {
  action: ControlAction;
  redisUrl: string | null;
  /** Without --redis: the database of a crawl running here, whose private Redis to use. */
  db: string;
  redisTimeoutMs?: number;
  prefix: string;
  crawl: string;
  json: boolean;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function describe(r: ControlResult): string {
  const c = r.crawl;
  if (r.state === 'paused')
    return r.previous === 'paused'
      ? `crawl ${c} was already paused`
      : `crawl ${c} paused: no worker starts a new fetch for it (fetches in flight finish). Resume with: metacrawl resume --crawl ${c}`;
  if (r.state === 'running')
    return `crawl ${c} ${r.previous === 'paused' ? 'resumed' : 'was not paused'}: ${r.promoted ?? 0} parked jobs back in the queue`;
  const turns = r.releasedHosts ? `; its booked turns at ${plural(r.releasedHosts, 'host')} released` : '';
  if (r.previous === 'cancelled') {
    const left = r.cancelled || r.inFlight;
    return `crawl ${c} was already cancelled${left ? `: ${r.cancelled ?? 0} queued URLs left over recorded as CANCELLED, ${r.inFlight ?? 0} in flight` : ''}${turns}`;
  }
  return `crawl ${c} cancelled: ${r.cancelled ?? 0} queued URLs recorded as CANCELLED, ${r.inFlight ?? 0} in flight (their workers record them)${turns}. Cancel is final.`;
}

export async function controlCommand(opts: ControlCommandOptions, io: CliIO): Promise<number> {
  const target = await findRedis(opts.redisUrl, opts.db);
  return withRedis(target.url, opts.redisTimeoutMs, async (redis) => {
    const fn = { pause: pauseCrawl, resume: resumeCrawl, cancel: cancelCrawl }[opts.action];
    const r = await fn(redis, opts.prefix, opts.crawl);
    line(io.stdout, opts.json ? JSON.stringify(r) : describe(r));
    return 0;
  });
}
