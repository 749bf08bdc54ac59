/**
 * What `metacrawl crawl` loads (a child process reports every module): nothing a default run does not use
 * (prom-client without --metrics-port, pino-pretty off a terminal, the Parquet writer, the CSV parser), and its
 * large CommonJS dependencies through require(), never import: importing CommonJS from an ES module makes Node
 * scan it and everything it re-exports for export names first (src/deps/README.md).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Site, startSite } from '../../tools/site.js';
import { crawlArgs, runCli } from '../helpers/cli.js';

let site: Site;
let dir: string;

beforeAll(async () => {
  site = await startSite({ hosts: 1, pagesPerHost: 3, firstOctet: 24 });
  dir = mkdtempSync(join(tmpdir(), 'mc-crawl-loads-'));
});
afterAll(async () => {
  await site?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `crawl` with hooks that list what went through the ES module loader and what require() loaded. */
async function loadedBy(...flags: string[]): Promise<{ imported: string[]; required: string[] }> {
  const log = join(dir, `loaded-${Math.random().toString(36).slice(2)}`);
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.LOADED_LOG + '.import', url + '\\n');
  return next(url, context);
}`,
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});`,
  );
  writeFileSync(
    join(dir, 'required.cjs'),
    `process.on('exit', () => require('node:fs').writeFileSync(process.env.LOADED_LOG + '.require', Object.keys(require.cache).join('\\n')));`,
  );
  const seeds = join(dir, 'seeds.txt');
  writeFileSync(seeds, `${site.urls.join('\n')}\n`);
  const res = await runCli(
    ['crawl', seeds, ...crawlArgs({ crawl: 'loads', db: join(dir, `${Math.random()}.db`) }), ...flags],
    {
      env: {
        LOADED_LOG: log,
        NODE_OPTIONS: `--import ${pathToFileURL(join(dir, 'register.mjs')).href} --require ${join(dir, 'required.cjs')}`,
      },
    },
  );
  expect(res.code, res.stderr).toBe(0);
  expect(res.stdout).toMatch(/pages stored\s+3 \(3 ok/);
  const read = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean);
  return { imported: read(`${log}.import`), required: read(`${log}.require`) };
}

const pkg = (p: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p)?.[1] ?? null;
const packages = (paths: string[]) => new Set(paths.map(pkg).filter((p) => p !== null));

describe('what metacrawl crawl loads', () => {
  it('loads no metrics, pretty-printer, Parquet or CSV code in a default run, and CommonJS via require()', async () => {
    const { imported, required } = await loadedBy('--log-level', 'warn');
    const all = packages([...imported, ...required]);
    // The run did load the crawl itself (the lists are real).
    expect(all).toContain('bullmq');
    expect(all).toContain('better-sqlite3');
    for (const unused of [
      'prom-client',
      '@opentelemetry/api',
      'pino-pretty',
      'hyparquet-writer',
      'csv-parse',
    ])
      expect(all, unused).not.toContain(unused);
    const viaImport = packages(imported);
    for (const dep of ['bullmq', 'ioredis', 'undici', 'tldts']) {
      expect(viaImport, dep).not.toContain(dep);
      expect(packages(required), dep).toContain(dep);
    }
    // undici's own modules of what the fetcher uses (src/deps/undici.ts), not its index: no fetch, WebSocket,
    // mock or cache code, ~60 ms less CPU at every start.
    const fromUndici = required.filter((p) => pkg(p) === 'undici');
    expect(fromUndici.some((p) => p.endsWith('/undici/lib/dispatcher/agent.js'))).toBe(true);
    for (const unused of ['/undici/index.js', '/undici/lib/web/', '/undici/lib/mock/'])
      expect(
        fromUndici.filter((p) => p.includes(unused)),
        unused,
      ).toEqual([]);
    // Likewise bullmq's Worker, Queue, Job and errors (src/deps/bullmq.ts), not its index: no flow producer or
    // queue events.
    const fromBullmq = required.filter((p) => pkg(p) === 'bullmq');
    expect(fromBullmq.some((p) => p.endsWith('/bullmq/dist/cjs/classes/worker.js'))).toBe(true);
    for (const unused of [
      '/bullmq/dist/cjs/index.js',
      '/classes/flow-producer.js',
      '/classes/queue-events.js',
    ])
      expect(
        fromBullmq.filter((p) => p.endsWith(unused)),
        unused,
      ).toEqual([]);
  });

  it('loads prom-client when --metrics-port asks for it', async () => {
    const { imported, required } = await loadedBy('--metrics-port', '0');
    expect(packages([...imported, ...required])).toContain('prom-client');
  });
});
