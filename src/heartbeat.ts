/**
 * Worker heartbeats: each worker writes a JSON line under its id in keys.workers every few seconds
 * (src/worker/index.ts); a line older than WORKER_LIVE_MS is a worker that died or stopped. `status` and
 * the fleet gauges count live workers by this one rule.
 */
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

/** A heartbeat older than this is a dead worker's (workers beat every 5 s). */
export const WORKER_LIVE_MS = 30_000;

/** One worker's heartbeat as written: id, host, pid, concurrency, version, its counters, and `at` (epoch ms). */
export type WorkerBeat = Record<string, unknown>;

export function isLive(beat: WorkerBeat, now: number): boolean {
  return now - Number(beat.at ?? 0) < WORKER_LIVE_MS;
}

/** The heartbeats of the workers alive at `now`. */
export async function liveWorkers(redis: Redis, prefix: string, now = Date.now()): Promise<WorkerBeat[]> {
  return Object.values(await redis.hgetall(keys(prefix).workers))
    .map((v) => JSON.parse(v) as WorkerBeat)
    .filter((w) => isLive(w, now));
}
