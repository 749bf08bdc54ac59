/** Entry point of a worker thread (see thread-pool.ts): one startWorker() until the parent says close. */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../log.js';
import { startWorker } from './index.js';
import type { ThreadMessage, ThreadWorkerOptions } from './thread-pool.js';

const port = parentPort;
if (!port) throw new Error('worker/thread-entry.js runs as a worker thread only');
const send = (m: ThreadMessage) => port.postMessage(m);
const { logLevel, logToParent, ...opts } = workerData as ThreadWorkerOptions;

try {
  // A thread's stderr is not a terminal: plain JSON lines, or to the parent, which writes them above its bar.
  const toParent = logToParent ? { write: (line: string) => send({ type: 'log', line }) } : undefined;
  const worker = await startWorker({
    ...opts,
    logger: createLogger(logLevel, { pretty: false, destination: toParent }),
  });
  send({ type: 'ready', id: worker.id });
  worker.failed.addEventListener(
    'abort',
    () => send({ type: 'fatal', error: (worker.failed.reason as Error).message }),
    {
      once: true,
    },
  );
  const beat = setInterval(() => send({ type: 'stats', stats: { ...worker.stats } }), 1000);
  beat.unref();
  port.on('message', async (m: { type: string; graceMs?: number }) => {
    if (m.type !== 'close') return;
    clearInterval(beat);
    await worker.close(m.graceMs);
    send({ type: 'closed', stats: { ...worker.stats } });
    port.close();
  });
} catch (err) {
  send({ type: 'failed', error: (err as Error).message });
  port.close();
}
