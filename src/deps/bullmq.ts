/**
 * The parts of bullmq metacrawl uses (Worker, Queue, Job, DelayedError), loaded with require(): see deps/README.md.
 * Types come from `import type … from 'bullmq'`.
 *
 * Their own modules rather than bullmq's index, which loads every class (flow producer, queue events, the other
 * Redis clients' adapters…): 205 modules instead of 262, ~10 ms less CPU at every start of a crawl or worker.
 * The same module instances as the index's (one CommonJS cache), so `instanceof` holds. A layout that does not
 * have them (a later bullmq) falls back to the index.
 */
import { createRequire } from 'node:module';

type BullMQ = typeof import('bullmq');
export type BullMQParts = Pick<BullMQ, 'Worker' | 'Queue' | 'Job' | 'DelayedError'>;

const require = createRequire(import.meta.url);

function load(): BullMQParts {
  try {
    const { Worker } = require('bullmq/dist/cjs/classes/worker.js') as Pick<BullMQ, 'Worker'>;
    const { Queue } = require('bullmq/dist/cjs/classes/queue.js') as Pick<BullMQ, 'Queue'>;
    const { Job } = require('bullmq/dist/cjs/classes/job.js') as Pick<BullMQ, 'Job'>;
    const { DelayedError } = require('bullmq/dist/cjs/classes/errors/index.js') as Pick<
      BullMQ,
      'DelayedError'
    >;
    if ([Worker, Queue, Job, DelayedError].every((c) => typeof c === 'function'))
      return { Worker, Queue, Job, DelayedError };
  } catch {}
  const all = require('bullmq') as BullMQ;
  return { Worker: all.Worker, Queue: all.Queue, Job: all.Job, DelayedError: all.DelayedError };
}

export const bullmq: BullMQParts = load();
