/**
 * Test plumbing for the politeness end-to-end suites: a farm of node:http hosts on 127.0.0.x that logs
 * every request (host, path, start, end, User-Agent), a fleet of real CLI processes, and log analysis.
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { type CliResult, runCli, startCli } from '../helpers/cli.js';

export interface Hit {
  host: string;
  path: string;
  /** Request start (headers received), ms. */
  at: number;
  /** Response finished, ms (null while in flight or when the client went away). */
  end: number | null;
  ua: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this many ms (default: the host's latency). */
  delayMs?: number;
}

export interface HostOptions {
  /** robots.txt body (200), a Reply, or a function of the robots.txt request count (1-based). Default: 404. */
  robots?: string | Reply | ((n: number) => Reply);
  /** Page latency range in ms, chosen per request. Default [0, 0]. */
  latencyMs?: [number, number];
  /** Scripted answer for a page request; `n` counts this host's page requests (1-based). Return null for the default page. */
  page?: (path: string, n: number) => Reply | null;
}

export interface FarmHost {
  address: string;
  origin: string;
  /** Absolute URLs of `/p/0` … `/p/<count-1>` (or of the given paths). */
  urls(count: number, prefix?: string): string[];
  hits(): Hit[];
}

export class Farm {
  readonly log: Hit[] = [];
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();

  async host(address: string, opts: HostOptions = {}): Promise<FarmHost> {
    let robotsN = 0;
    let pageN = 0;
    const send = (res: ServerResponse, r: Reply, fallbackDelay: number) => {
      const go = () => {
        res.writeHead(r.status ?? 200, { 'content-type': 'text/html; charset=utf-8', ...r.headers });
        res.end(r.body ?? '');
      };
      const ms = r.delayMs ?? fallbackDelay;
      if (ms > 0) setTimeout(go, ms);
      else go();
    };
    const latency = () => {
      const [lo, hi] = opts.latencyMs ?? [0, 0];
      return lo + Math.floor(Math.random() * (hi - lo + 1));
    };
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const hit: Hit = {
        host: address,
        path: req.url ?? '/',
        at: Date.now(),
        end: null,
        ua: String(req.headers['user-agent'] ?? ''),
      };
      this.log.push(hit);
      res.on('finish', () => {
        hit.end = Date.now();
      });
      if (hit.path === '/robots.txt') {
        robotsN++;
        const r = opts.robots;
        if (r === undefined) return send(res, { status: 404, body: 'no robots.txt' }, 0);
        const reply = typeof r === 'string' ? { body: r } : typeof r === 'function' ? r(robotsN) : r;
        return send(res, { headers: { 'content-type': 'text/plain' }, ...reply }, 0);
      }
      pageN++;
      const scripted = opts.page?.(hit.path, pageN) ?? null;
      const body = `<!doctype html><html><head><title>${address}${hit.path}</title></head><body><p>ok</p></body></html>`;
      send(res, scripted ?? { body }, latency());
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, address, () => resolve());
    });
    this.servers.push(server);
    const origin = `http://${address}:${(server.address() as AddressInfo).port}`;
    return {
      address,
      origin,
      urls: (count, prefix = '/p/') => Array.from({ length: count }, (_, i) => `${origin}${prefix}${i}`),
      hits: () => this.log.filter((h) => h.host === address),
    };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

/**
 * The gate spaces grants exactly (on Redis' clock); a request reaches the server some ms after its grant,
 * and on an overloaded 2-core test machine (load average 15+) that delay varies by up to ~170 ms between
 * two requests (measured: two grants ≥ 1000 ms apart arrived 837 ms apart). Per-window checks on the
 * server log therefore allow this much; `span` checks, where jitter does not add up, hold the average
 * rate tightly. In-flight and pause checks need no allowance: a slot is given back only after the
 * response has ended.
 */
export const JITTER_MS = 200;

/** Request starts (a Hit's `at`, ms) or grant times (µs, Grants). */
type Times = Hit[] | number[];

function times(xs: Times): number[] {
  return xs.map((x: Hit | number) => (typeof x === 'number' ? x : x.at));
}

/** Time from the first to the last request: n requests at `ratePerSec` need at least (n - 1) / rate. */
export function span(hits: Times): number {
  const t = times(hits);
  return Math.max(...t) - Math.min(...t);
}

/** The most requests whose start falls in any half-open window [t, t + window) (`window` in the times' unit). */
export function maxInWindow(hits: Times, window = 1000): number {
  const t = times(hits).sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i] - t[j] >= window) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** The most requests in flight at once (start..end as the server saw them; an end at the same ms as a start frees first). */
export function maxInFlight(hits: Hit[]): number {
  const events: Array<[number, number]> = [];
  for (const h of hits) {
    events.push([h.at, 1]);
    events.push([h.end ?? Number.POSITIVE_INFINITY, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let best = 0;
  for (const [, d] of events) {
    cur += d;
    best = Math.max(best, cur);
  }
  return best;
}

export interface Grants {
  /** When the gate granted each slot at `host` (to `crawl`, or to any crawl): Redis TIME in µs (exact integers), in order. */
  of(host: string, crawl?: string): number[];
  /** Resolves once every command Redis ran before this call has been seen. */
  settle(): Promise<void>;
  stop(): void;
}

/**
 * The politeness gate's grants as Redis made them. acquire.lua stamps each grant with Redis TIME on the host's
 * state (`HSET <prefix>:host:<host> last <µs>`, only when it grants a slot), and MONITOR shows every command a
 * script runs, with its arguments. The grant's next command is the ZADD of its lease to the crawl's slots at the
 * host, which names the crawl (a script runs alone: nothing comes between). These are the times the crawler
 * spaces exactly; the farm's log sees the same requests later, each by its own event-loop delays (JITTER_MS).
 */
export async function watchGrants(redisUrl: string, prefix: string): Promise<Grants> {
  const hostPrefix = `${prefix}:host:`;
  const crawlPrefix = `${prefix}:crawl:`;
  const grants = new Map<string, number[]>();
  const add = (k: string, us: number) => grants.set(k, [...(grants.get(k) ?? []), us]);
  let granted: { host: string; us: number } | null = null;
  const echoes = new Map<string, () => void>();
  const client = new Redis(redisUrl, { lazyConnect: true });
  await client.connect();
  const monitor = await monitorRedis(redisUrl, (args, source) => {
    const [cmd, key, field, value] = args;
    const c = cmd.toLowerCase();
    if (source === 'lua' && c === 'hset' && field === 'last' && key.startsWith(hostPrefix)) {
      granted = { host: key.slice(hostPrefix.length), us: Number(value) };
      add(granted.host, granted.us);
    } else if (source === 'lua' && c === 'zadd' && granted && key.startsWith(crawlPrefix)) {
      const tail = `:host:${granted.host}:slots`;
      if (key.endsWith(tail))
        add(`${granted.host} ${key.slice(crawlPrefix.length, -tail.length)}`, granted.us);
      granted = null;
    } else if (c === 'echo') echoes.get(key)?.();
  });
  let n = 0;
  return {
    of: (host, crawl) => grants.get(crawl === undefined ? host : `${host} ${crawl}`) ?? [],
    settle: async () => {
      // Redis feeds a monitor in the order it runs commands: once this ECHO is seen, so is every grant before it.
      const marker = `${prefix}:grants-settled:${n++}`;
      const seen = new Promise<void>((resolve) => echoes.set(marker, resolve));
      await client.echo(marker);
      await seen;
      echoes.delete(marker);
    },
    stop: () => {
      monitor.destroy();
      client.disconnect();
    },
  };
}

/**
 * A MONITOR connection of its own over a plain socket. ioredis's monitor() marks its connection as monitoring only
 * once the MONITOR reply's promise settles, so lines Redis sends in the same packet as that reply (another test
 * file's traffic on the same server) reach it as replies to no command: "Command queue state error".
 * Each line: `+<time> [<db> <source>] "<arg>" "<arg>" …`, args quoted with backslash escapes.
 */
async function monitorRedis(
  redisUrl: string,
  onCommand: (args: string[], source: string) => void,
): Promise<Socket> {
  const { hostname, port } = new URL(redisUrl);
  const socket = connect(Number(port || 6379), hostname || '127.0.0.1');
  socket.setEncoding('latin1');
  let buffered = '';
  let started: (() => void) | null = null;
  const ok = new Promise<void>((resolve, reject) => {
    started = resolve;
    socket.once('error', reject);
  });
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let end = buffered.indexOf('\r\n');
    while (end >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      end = buffered.indexOf('\r\n');
      if (line === '+OK') started?.();
      else if (line.startsWith('+')) {
        const bracket = line.indexOf('[');
        const source = line.slice(bracket + 1, line.indexOf(']', bracket)).split(' ')[1] ?? '';
        const args = [...line.slice(line.indexOf(']', bracket)).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) =>
          m[1].replace(/\\(.)/g, '$1'),
        );
        if (args.length > 0) onCommand(args, source);
      }
    }
  });
  socket.write('MONITOR\r\n');
  await ok;
  return socket;
}

/**
 * Requests that reached their host before a grant of their own: the k-th arrival must not precede the k-th grant
 * (Redis TIME and Date.now() read the same clock here). Returns [path, arrival ms, grant µs] for each that did.
 */
export function earlyArrivals(hits: Hit[], grantsUs: number[]): Array<[string, number, number]> {
  const arrivals = [...hits].sort((a, b) => a.at - b.at);
  const granted = [...grantsUs].sort((a, b) => a - b);
  return arrivals
    .map((h, k): [string, number, number] => [h.path, h.at, granted[k] ?? Number.POSITIVE_INFINITY])
    .filter(([, at, g]) => at < Math.floor(g / 1000));
}

export interface PageRow {
  url: string;
  status: number | null;
  error: string | null;
  error_detail: string | null;
  attempts: number;
  queued_ms: number | null;
}

export function pageRows(db: string, crawl: string): PageRow[] {
  if (!existsSync(db)) return [];
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return conn
      .prepare(
        `SELECT p.url, p.status, p.error, p.error_detail, p.attempts, p.queued_ms
           FROM pages p JOIN crawls c ON c.id = p.crawl_id WHERE c.name = ? ORDER BY p.url`,
      )
      .all(crawl) as PageRow[];
  } catch (err) {
    // The writer has not created the schema or the crawl yet.
    if (/no such table/.test((err as Error).message)) return [];
    throw err;
  } finally {
    conn.close();
  }
}

/** Polls the store's database until the crawl has `n` rows; returns them (throws with what it has on timeout). */
export async function waitForRows(
  db: string,
  crawl: string,
  n: number,
  timeoutMs = 30_000,
): Promise<PageRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = pageRows(db, crawl);
    if (rows.length >= n) return rows;
    if (Date.now() > deadline)
      throw new Error(`crawl ${crawl}: ${rows.length} of ${n} rows after ${timeoutMs} ms`);
    await sleep(100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface Fleet {
  /** Flags every command of this fleet needs (--redis, --prefix, --log-level). */
  common: string[];
  db: string;
  submit(seedFile: string, crawl: string, args?: string[]): Promise<CliResult>;
  stop(): Promise<CliResult[]>;
}

/** `workers` separate `metacrawl worker` processes and one `metacrawl store`, all on one Redis prefix. */
export function startFleet(opts: {
  redis: string;
  prefix: string;
  db: string;
  workers: number;
  workerArgs?: string[];
  env?: Record<string, string>;
}): Fleet {
  const common = ['--redis', opts.redis, '--prefix', opts.prefix, '--log-level', 'warn'];
  const procs = [
    startCli(['store', '--db', opts.db, ...common]),
    ...Array.from({ length: opts.workers }, () =>
      startCli(['worker', '--allow-private', '--grace', '2000', ...(opts.workerArgs ?? []), ...common], {
        env: opts.env,
      }),
    ),
  ];
  return {
    common,
    db: opts.db,
    submit: (seedFile, crawl, args = []) =>
      runCli(['submit', seedFile, '--crawl', crawl, ...args, ...common]),
    stop: async () => {
      for (const p of procs) p.kill('SIGTERM');
      return Promise.all(procs.map((p) => p.result));
    },
  };
}
