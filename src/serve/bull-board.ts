/** Bull Board (the queue dashboard) for the `crawl` queue, as an express app mounted at `/queues`. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express from 'express';
import { openQueue } from '../queue.js';
import { connectRedis } from '../redis.js';

export const QUEUES_PATH = '/queues';

export interface QueueBoard {
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<void>;
}

export function startQueueBoard(redisUrl: string, prefix: string): QueueBoard {
  const redis = connectRedis(redisUrl, { maxRetriesPerRequest: null });
  // The crawl whose Redis this is may end (its private Redis stops): the dashboard then shows errors, no log flood.
  redis.on('error', () => {});
  const queue = openQueue(redis, prefix);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUES_PATH);
  createBullBoard({ queues: [new BullMQAdapter(queue, { readOnlyMode: true })], serverAdapter });
  const app = express();
  app.disable('x-powered-by');
  app.use(QUEUES_PATH, serverAdapter.getRouter());
  return {
    handle: (req, res) => {
      app(req as express.Request, res as express.Response);
    },
    close: async () => {
      await queue.close();
      redis.disconnect();
    },
  };
}
