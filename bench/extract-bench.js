#!/usr/bin/env node
/**
 * The extractor alone, in memory, in a fresh process: `extract()` from dist/ over the farm's pages and/or
 * the real-page corpus, CPU time per page (median, p99, mean; CPU, not wall, so a shared machine's
 * scheduling does not count). Run as a child so nothing else loaded in
 * the benchmark process (ioredis, BullMQ, …) can change what it measures — and so the String-subclass
 * experiment (bench/string-subclass.js) can set up each variant in a clean process.
 *
 * Options: --set farm|corpus|both (default both) --pool <n farm pages> (default 256) --rounds <n> (default 3)
 *          --setup <list>  comma list, applied in order before anything is parsed:
 *             ioredis       import ioredis (as the worker does)
 *             cli           import the whole CLI (dist/cli/main.js: everything a crawl process loads)
 *             define        define a String subclass shaped like a RESP3 VerbatimString
 *             instantiate   define it and create one instance
 *           a step with the suffix @late (e.g. instantiate@late) happens after the warm-up round instead
 *          --custom <mode>  what the worker adds after extract() (dist/custom-fields.js), timed with it:
 *             off (default: extract() alone), none (a crawl without rules or --microdata), css (10 CSS rules),
 *             regex (10 regex rules), microdata (--microdata, no rules)
 *          --input text|bytes  text (default): extract() of the decoded page; bytes: as the worker does it,
 *             extractUtf8() of the body for UTF-8 pages (every farm page; the corpus pages declared UTF-8)
 *          --dist <dir>     the build to time (default dist/): e.g. another worktree's dist, for A/B runs
 * Prints one JSON line: {"farm": {...}, "corpus": {...}, "setup": [...]}.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** @param {string[]} argv */
function parse(argv) {
  const o = {
    set: 'both',
    pool: 256,
    rounds: 3,
    setup: /** @type {string[]} */ ([]),
    custom: 'off',
    input: 'text',
    dist: `${root}dist`,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--set') o.set = v;
    else if (a === '--pool') o.pool = Number(v);
    else if (a === '--rounds') o.rounds = Number(v);
    else if (a === '--setup') o.setup = v ? v.split(',').filter(Boolean) : [];
    else if (a === '--custom') o.custom = v;
    else if (a === '--input') o.input = v;
    else if (a === '--dist') o.dist = v.replace(/\/$/, '');
    else throw new Error(`unknown option ${a}`);
    i++;
  }
  return o;
}

/** @param {number[]} ms */
export function summarize(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (/** @type {number} */ q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  const total = s.reduce((a, b) => a + b, 0);
  return {
    samples: s.length,
    medianMs: round(at(0.5)),
    p99Ms: round(at(0.99)),
    meanMs: round(total / s.length),
    pagesPerS: Math.round((s.length / total) * 1000),
  };
}

function round(/** @type {number} */ x) {
  return Math.round(x * 1000) / 1000;
}

/** The corpus pages decoded with the encoding their expected file records (as the fetcher would). */
export function corpusPages() {
  const dir = `${root}test/fixtures/corpus`;
  const out = [];
  for (const f of readdirSync(`${dir}/pages`).sort()) {
    if (!f.endsWith('.html')) continue;
    const name = f.slice(0, -5);
    let encoding = 'utf-8';
    try {
      encoding = JSON.parse(readFileSync(`${dir}/expected/${name}.json`, 'utf8')).encoding_used || 'utf-8';
    } catch {}
    const bytes = readFileSync(`${dir}/pages/${f}`);
    let html;
    try {
      html = new TextDecoder(encoding).decode(bytes);
    } catch {
      html = new TextDecoder('utf-8').decode(bytes);
    }
    // The body as the worker hands UTF-8 pages to extractUtf8 (BOM removed); null for other encodings.
    const utf8 = /^utf-?8$/i.test(encoding)
      ? bytes.subarray(bytes[0] === 0xef && bytes[1] === 0xbb ? 3 : 0)
      : null;
    out.push({ url: `https://${name}.example/`, html, bytes: utf8 });
  }
  return out;
}

/** @param {string[]} setup */
async function applySetup(setup) {
  const require = createRequire(import.meta.url);
  for (const step of setup) {
    if (step === 'ioredis') require('ioredis');
    // Everything the CLI loads (BullMQ, ioredis, undici, SQLite, pino, …): the crawler's real neighbourhood.
    else if (step === 'cli') await import(pathToFileURL(`${root}dist/cli/main.js`).href);
    else if (step === 'define' || step === 'instantiate') {
      // The shape of a RESP3 verbatim string reply class (a String subclass carrying its format).
      class VerbatimString extends String {
        /** @param {string} format @param {string} value */
        constructor(format, value) {
          super(value);
          this.format = format;
        }
      }
      if (step === 'instantiate') globalThis.__benchKeep = new VerbatimString('txt', 'x');
    } else throw new Error(`unknown setup step ${step}`);
  }
}

/** @typedef {{ url: string, html: string, bytes: Uint8Array | null }} Page */

/**
 * @param {(p: Page) => unknown} extract
 * @param {Page[]} pages
 * @param {number} rounds
 */
function time(extract, pages, rounds, late = () => {}) {
  for (const p of pages) extract(p); // warm-up round, not measured
  late();
  // CPU time, not wall time: the machine may be shared, and a descheduled page is not a slow page.
  const ms = [];
  for (let r = 0; r < rounds; r++)
    for (const p of pages) {
      const t = process.cpuUsage();
      extract(p);
      const d = process.cpuUsage(t);
      ms.push((d.user + d.system) / 1000);
    }
  return summarize(ms);
}

/** Ten rules of each kind, of the sorts users write (they match on some pages, not all). */
const RULES = {
  css: [
    'title=css:title',
    'h1=css:h1',
    'canonical=css:link[rel=canonical]@href',
    'author=css:[rel=author], .author, .byline',
    'price=css:[itemprop=price]@content',
    'crumbs[]=css:nav.breadcrumb li, .breadcrumb a',
    'images[]=css:article img@src',
    'desc=css:meta[name=description]@content',
    'nav[]=css:nav a',
    'body=css:main p',
  ],
  regex: [
    'sku=regex:"sku"\\s*:\\s*"([^"]+)"',
    'gtm=regex:(GTM-[A-Z0-9]+)',
    'ga=regex:(UA-\\d+-\\d+)',
    'price=regex:"price"\\s*:\\s*"?([0-9.]+)',
    'email=regex:([\\w.+-]+@[\\w-]+\\.[\\w.]+)',
    'year=regex:©\\s*(\\d{4})',
    'generator=regex:<meta name="generator" content="([^"]*)"',
    'h1=regex:<h1[^>]*>([^<]*)<',
    'ids[]=regex:data-id="(\\d+)"',
    'twitter=regex:twitter\\.com/(\\w+)',
  ],
};

/**
 * extract() followed by what the worker does for a crawl of the given mode (the page's bytes as the worker has
 * them: UTF-8 pages are re-decoded only when a rule or an itemscope needs the text).
 * @param {(html: string, url: string) => any} plain
 * @param {string} mode
 */
async function withCustom(plain, mode) {
  if (mode === 'off') return plain;
  const { addCustomFields } = await import(pathToFileURL(`${root}dist/custom-fields.js`).href);
  const settings = Object.freeze({
    extract: mode === 'css' || mode === 'regex' ? RULES[mode] : [],
    microdata: mode === 'microdata',
  });
  if (!['none', 'css', 'regex', 'microdata'].includes(mode)) throw new Error(`unknown --custom ${mode}`);
  const bytes = new Map();
  return (/** @type {string} */ html, /** @type {string} */ url) => {
    let b = bytes.get(html);
    if (!b) bytes.set(html, (b = Buffer.from(html, 'utf8')));
    const meta = plain(html, url);
    addCustomFields(meta, settings, b, null);
    return meta;
  };
}

async function main() {
  /** @type {Record<string, unknown>} */
  const out = { setup: [] };
  const o = parse(process.argv.slice(2));
  // Steps marked @late happen after the warm-up round, when the parser's code is already optimized.
  out.setup = o.setup;
  await applySetup(o.setup.filter((x) => !x.endsWith('@late')));
  const lateSteps = o.setup.filter((x) => x.endsWith('@late')).map((x) => x.slice(0, -'@late'.length));
  if (lateSteps.includes('cli')) throw new Error('cli cannot be @late');
  const late = () => {
    applySetup(lateSteps);
  };
  const ex = await import(pathToFileURL(`${o.dist}/extract/index.js`).href);
  const withRules = await withCustom(ex.extract, o.custom);
  if (o.input !== 'text' && o.input !== 'bytes') throw new Error(`unknown --input ${o.input}`);
  if (o.input === 'bytes' && o.custom !== 'off') throw new Error('--input bytes goes with --custom off');
  out.input = o.input;
  // text: extract() of the decoded page; bytes: what the worker does, extractUtf8() of a UTF-8 body.
  const extract =
    o.input === 'bytes'
      ? (/** @type {Page} */ p) => (p.bytes ? ex.extractUtf8(p.bytes, p.url) : ex.extract(p.html, p.url))
      : (/** @type {Page} */ p) => withRules(p.html, p.url);
  if (o.custom !== 'off') out.custom = o.custom;
  const { renderIssuePage } = await import('./page.js');

  if (o.set === 'farm' || o.set === 'both') {
    const pages = Array.from({ length: o.pool }, (_, i) => {
      const html = renderIssuePage(i);
      return { url: `http://127.0.1.${1 + (i % 100)}/issues/${i}`, html, bytes: Buffer.from(html, 'utf8') };
    });
    out.farm = time(extract, pages, o.rounds, late);
  }
  if (o.set === 'corpus' || o.set === 'both') out.corpus = time(extract, corpusPages(), o.rounds, late);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
