/** Store writer metrics, fed by runStoreWriter's onBatch. */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { BatchInfo } from '../store/index.js';

export class WriterMetrics {
  readonly batchSize: Histogram;
  readonly batchSeconds: Histogram;
  readonly records: Counter<'result'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.batchSize = new Histogram({
      name: 'metacrawl_writer_batch_size',
      help: 'Results stream entries per store transaction',
      buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    });
    this.batchSeconds = new Histogram({
      name: 'metacrawl_writer_batch_duration_seconds',
      help: 'Time to write and acknowledge one batch',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.records = new Counter({
      name: 'metacrawl_writer_records_total',
      help: 'Records handled by the store writer: inserted (new row), updated (replay or refetch), skipped (a failure for a URL that already succeeded), rejected (unreadable)',
      labelNames: ['result'],
      registers,
    });
    for (const result of ['inserted', 'updated', 'skipped', 'rejected']) this.records.inc({ result }, 0);
  }

  observeBatch(b: BatchInfo): void {
    this.batchSize.observe(b.entries);
    this.batchSeconds.observe(b.ms / 1000);
    if (b.inserted) this.records.inc({ result: 'inserted' }, b.inserted);
    if (b.updated) this.records.inc({ result: 'updated' }, b.updated);
    if (b.skipped) this.records.inc({ result: 'skipped' }, b.skipped);
    if (b.rejected) this.records.inc({ result: 'rejected' }, b.rejected);
  }
}
