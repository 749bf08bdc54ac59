/** `metacrawl serve`: the results explorer (and Bull Board at /queues when a Redis URL is given). */
import { findPrivateRedis, redactRedisUrl } from '../redis.js';
import { startExplorer } from '../serve/index.js';
import { type CliIO, line, quietStop } from './io.js';
import { privateRedisDir } from './redis-target.js';

export interface ServeCommandOptions {
  db: string;
  host: string;
  port: number;
  redisUrl: string | null;
  prefix: string;
}

/** Serves until the stop signal (SIGINT/SIGTERM) aborts; prints the URL first. */
export async function serveCommand(opts: ServeCommandOptions, io: CliIO): Promise<number> {
  quietStop(io);
  // Without --redis, the queue dashboard shows the crawl running on --db, if one is.
  const running = opts.redisUrl ? null : await findPrivateRedis(privateRedisDir(opts.db));
  const redisUrl = opts.redisUrl ?? running?.url ?? null;
  const explorer = await startExplorer({
    dbPath: opts.db,
    host: opts.host,
    port: opts.port,
    redisUrl,
    prefix: opts.prefix,
  });
  line(io.stdout, `metacrawl explorer: ${explorer.url}`);
  if (redisUrl)
    line(
      io.stdout,
      `queue dashboard: ${explorer.url}queues/ (${running ? `the crawl running on ${opts.db}, ` : ''}${redactRedisUrl(redisUrl)})`,
    );
  if (!io.stopSignal.aborted) {
    await new Promise<void>((resolve) =>
      io.stopSignal.addEventListener('abort', () => resolve(), { once: true }),
    );
  }
  await explorer.close();
  return 0;
}
