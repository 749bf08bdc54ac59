/** Worker metrics: what each published row says (status, error, latency, bytes, politeness wait) and delays. */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { PageRecord } from '../types.js';

export class WorkerMetrics {
  readonly pages: Counter<'crawl' | 'status' | 'error'>;
  readonly fetchSeconds: Histogram;
  readonly bytes: Counter;
  readonly delays: Counter<'reason'>;
  readonly backoffs: Counter<'outcome'>;
  readonly waitSeconds: Histogram;
  readonly parked: Counter<'crawl'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.pages = new Counter({
      name: 'metacrawl_pages_total',
      help: 'Page rows published by this worker, by crawl, HTTP status ("none" without a response) and error code ("none" for success)',
      labelNames: ['crawl', 'status', 'error'],
      registers,
    });
    this.fetchSeconds = new Histogram({
      name: 'metacrawl_fetch_duration_seconds',
      help: 'Fetch time of pages that got a response, connect to last byte (redirects included)',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.bytes = new Counter({
      name: 'metacrawl_fetched_bytes_total',
      help: 'Body bytes received (after decompression, up to --max-bytes per page)',
      registers,
    });
    this.delays = new Counter({
      name: 'metacrawl_politeness_delays_total',
      help: 'Jobs moved to the delayed set because their host had no slot: reason rate, concurrency or paused (host backoff)',
      labelNames: ['reason'],
      registers,
    });
    this.backoffs = new Counter({
      name: 'metacrawl_host_backoffs_total',
      help: 'Responses that paused a host fleet-wide: throttled (429/503) or conn_failure',
      labelNames: ['outcome'],
      registers,
    });
    this.waitSeconds = new Histogram({
      name: 'metacrawl_politeness_wait_seconds',
      help: 'Time each page waited for politeness before its fetch (pages.queued_ms)',
      buckets: [0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800],
      registers,
    });
    this.parked = new Counter({
      name: 'metacrawl_jobs_parked_total',
      help: 'Jobs of a paused crawl parked by this worker (metacrawl pause)',
      labelNames: ['crawl'],
      registers,
    });
  }

  /** Called once per row this worker publishes. */
  observeRecord(r: PageRecord): void {
    this.pages.inc({
      crawl: r.crawl,
      status: r.status === null ? 'none' : String(r.status),
      error: r.error ?? 'none',
    });
    if (r.elapsedMs !== null && r.status !== null) this.fetchSeconds.observe(r.elapsedMs / 1000);
    if (r.bytes) this.bytes.inc(r.bytes);
    if (r.queuedMs !== null) this.waitSeconds.observe(Math.max(0, r.queuedMs) / 1000);
  }

  /**
   * The politeness gate's observer: counts its refusals and backoffs. Typed by shape (a refusal has a reason,
   * a host event is 'ok' or a backoff) so metrics import nothing from the worker. The metric's label keeps
   * its published name, `outcome`.
   */
  readonly gateObserver = {
    onAcquire: (_hostKey: string, res: { granted: true } | { granted: false; reason: string }): void => {
      if (!res.granted) this.delays.inc({ reason: res.reason });
    },
    onHostEvent: (_hostKey: string, event: string): void => {
      if (event !== 'ok')
        this.backoffs.inc({ outcome: event === 'throttled' ? 'throttled' : 'conn_failure' });
    },
  };
}
