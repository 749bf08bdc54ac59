/** Entry point of the thread finish.ts starts: finishWrites on a connection of its own, then exit. */
import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from './db.js';
import type { FinishMessage } from './finish.js';
import { finishWrites } from './indexes.js';

const port = parentPort;
if (!port) throw new Error('store/finish-thread.js runs as a worker thread only');
const send = (m: FinishMessage) => port.postMessage(m);
const { path } = workerData as { path: string };

try {
  // A crawl writing meanwhile would hold the write lock for one batch at a time: wait for it.
  const db = openDb(path, { busyTimeoutMs: 60_000 });
  try {
    send({ type: 'done', built: finishWrites(db, (message) => send({ type: 'report', message })) });
  } finally {
    db.close();
  }
} catch (err) {
  send({ type: 'failed', error: (err as Error).message });
}
port.close();
