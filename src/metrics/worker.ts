/** Worker metrics: what each published row says (status, error, latency, bytes, politeness wait) and delays. */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { PageRecord } from '../types.js';
import type { AcquireResult, Outcome, PolitenessGate } from '../worker/politeness/gate.js';

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

  /** Counts the gate's refusals and backoffs without touching the job flow (wraps the instance's methods). */
  instrumentGate(gate: PolitenessGate): void {
    const acquire = gate.acquire.bind(gate);
    const recordOutcome = gate.recordOutcome.bind(gate);
    gate.acquire = async (...args: Parameters<PolitenessGate['acquire']>): Promise<AcquireResult> => {
      const res = await acquire(...args);
      if (!res.granted) this.delays.inc({ reason: res.reason });
      return res;
    };
    gate.recordOutcome = async (...args: Parameters<PolitenessGate['recordOutcome']>): Promise<number> => {
      const res = await recordOutcome(...args);
      const outcome: Outcome = args[1];
      if (outcome !== 'ok')
        this.backoffs.inc({ outcome: outcome === 'throttled' ? 'throttled' : 'conn_failure' });
      return res;
    };
  }
}
