/**
 * Entry point of reextract's extraction threads (reextract-pool.ts): archived pages in, their results out. The
 * pool ends the thread (terminate) when the run ends; its open archive files close with it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ArchivedPageExtractor, type ArchivedPageSettings } from '../archived-page.js';
import type { ReextractThreadReply, ReextractThreadRequest } from './reextract-pool.js';

const port = parentPort;
if (!port) throw new Error('store/reextract-thread.js runs as a worker thread only');
const extractor = new ArchivedPageExtractor(workerData as ArchivedPageSettings);
const send = (m: ReextractThreadReply) => port.postMessage(m);

port.on('message', (m: ReextractThreadRequest) => {
  try {
    send({ type: 'done', id: m.id, results: `[${m.jobs.map((j) => extractor.extractPacked(j)).join(',')}]` });
  } catch (err) {
    send({ type: 'failed', id: m.id, error: (err as Error).message });
  }
});
