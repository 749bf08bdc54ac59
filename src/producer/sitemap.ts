/**
 * Sitemap parsing as a stream, with bounded memory whatever the size: XML sitemaps (`<urlset>`), sitemap
 * indexes (`<sitemapindex>`), RSS 2.0 / Atom feeds (which sitemaps.org accepts as sitemaps) and text sitemaps
 * (one URL per line). gzip is recognized by its magic bytes, whatever the name or content type says.
 * No I/O here beyond the stream handed in: fetching and following indexes is sitemap-reader.ts.
 */
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { Parser } from 'htmlparser2';

/** sitemaps.org: at most 50 MB (uncompressed) and 50,000 URLs per file. We stop at the size, not the count. */
export const SITEMAP_MAX_BYTES = 50 * 1024 * 1024;
/** The text of one <loc>/<lastmod> longer than this is junk, not a URL. */
const MAX_TEXT = 64 * 1024;

export interface SitemapEntry {
  /** `page`: a URL to crawl; `sitemap`: a child sitemap named by a sitemap index. */
  kind: 'page' | 'sitemap';
  /** As written (trimmed, entities decoded); may be relative in a broken sitemap. */
  loc: string;
  /** W3C datetime as written (`2024-05-01`, `2024-05-01T10:00:00+02:00`), or null when absent or invalid. */
  lastmod: string | null;
}

export class SitemapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SitemapError';
  }
}

/** A location names a sitemap by its extension: `.xml` or `.xml.gz` (query and fragment ignored). */
export function isSitemapLocation(location: string): boolean {
  // Called for every seed: most never mention .xml, and need no parse.
  if (!XML_ANYWHERE.test(location)) return false;
  let path = location;
  if (/^https?:\/\//i.test(location) && URL.canParse(location)) path = new URL(location).pathname;
  return /\.xml(\.gz)?$/i.test(path);
}

const XML_ANYWHERE = /\.xml/i;

const W3C_DATETIME = /^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$/;

/** A lastmod worth storing: a W3C datetime (the sitemap protocol's format), trimmed; else null. */
export function cleanLastmod(text: string | null): string | null {
  if (text === null) return null;
  const t = text.trim();
  return W3C_DATETIME.test(t) ? t : null;
}

export interface ParseSitemapOptions {
  /** Decompressed bytes read at most; beyond them parsing stops with a SitemapError. */
  maxBytes?: number;
}

/**
 * Parses one sitemap document from a byte stream (gzipped or not). Yields entries as they are parsed;
 * throws SitemapError on a document that is not a sitemap, on bad gzip data, or past `maxBytes` (after
 * yielding what came before).
 */
export async function* parseSitemap(
  input: AsyncIterable<Buffer | string>,
  opts: ParseSitemapOptions = {},
): AsyncGenerator<SitemapEntry> {
  const maxBytes = opts.maxBytes ?? SITEMAP_MAX_BYTES;
  const decoder = new StringDecoder('utf8');
  const pending: SitemapEntry[] = [];
  let state: XmlState | TextState | null = null;
  let total = 0;
  const source = input[Symbol.asyncIterator]();
  const first = await source.next();
  if (first.done) throw new SitemapError('empty sitemap');
  const head = toBuffer(first.value);
  const rest = (async function* () {
    yield head;
    for (let r = await source.next(); !r.done; r = await source.next()) yield toBuffer(r.value);
  })();
  let chunks: AsyncIterable<Buffer | string> = rest;
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    const raw = Readable.from(rest);
    raw.on('error', (err) => gunzip.destroy(err));
    chunks = raw.pipe(gunzip);
  }
  try {
    for await (const chunk of chunks) {
      const buf = toBuffer(chunk);
      total += buf.length;
      if (total > maxBytes) {
        throw new SitemapError(`sitemap larger than ${maxBytes} bytes (uncompressed): stopped there`);
      }
      let text = decoder.write(buf);
      if (state === null) {
        text = text.replace(/^\uFEFF/, '');
        const lead = text.trimStart();
        if (lead === '') continue;
        state = lead.startsWith('<') ? xmlState(pending) : textState(pending);
      }
      state.write(text);
      while (pending.length > 0) yield pending.shift()!;
    }
    if (state === null) throw new SitemapError('empty sitemap');
    state.end(decoder.end());
    while (pending.length > 0) yield pending.shift()!;
    if (state.kind === 'xml' && state.root() === null)
      throw new SitemapError('not a sitemap (no XML root element)');
    if (state.kind === 'xml' && !KNOWN_ROOTS.has(state.root()!)) {
      throw new SitemapError(`not a sitemap (root element <${state.root()}>)`);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new SitemapError(`bad gzip data (${(err as Error).message})`);
    }
    throw err;
  }
}

function toBuffer(v: Buffer | string): Buffer {
  return typeof v === 'string' ? Buffer.from(v) : v;
}

const KNOWN_ROOTS = new Set(['urlset', 'sitemapindex', 'rss', 'rdf', 'feed']);
/** `<root>/<element>` → the kind of entry that element is. */
const ENTRY: Record<string, SitemapEntry['kind']> = {
  'urlset/url': 'page',
  'sitemapindex/sitemap': 'sitemap',
  'rss/item': 'page',
  'rdf/item': 'page',
  'feed/entry': 'page',
};

interface XmlState {
  kind: 'xml';
  write(text: string): void;
  end(text: string): void;
  root(): string | null;
}

interface TextState {
  kind: 'text';
  write(text: string): void;
  end(text: string): void;
}

/** The local name of an XML element, lowercased: `<sm:loc>` and `<loc>` are both `loc`. */
function local(name: string): string {
  const i = name.indexOf(':');
  return (i === -1 ? name : name.slice(i + 1)).toLowerCase();
}

function xmlState(out: SitemapEntry[]): XmlState {
  let root: string | null = null;
  const stack: string[] = [];
  // The entry being read: <url>/<sitemap> of a sitemap, <item>/<entry> of a feed.
  let loc: string | null = null;
  let lastmod: string | null = null;
  let capture: 'loc' | 'lastmod' | null = null;
  let text = '';
  const parent = () => stack[stack.length - 2] ?? null;
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        const n = local(name);
        stack.push(n);
        if (root === null) root = n;
        const p = parent();
        if (ENTRY[`${root}/${n}`] !== undefined) {
          loc = null;
          lastmod = null;
        } else if (n === 'loc' && (p === 'url' || p === 'sitemap')) {
          capture = 'loc';
        } else if (n === 'lastmod' && (p === 'url' || p === 'sitemap')) {
          capture = 'lastmod';
        } else if (n === 'link' && p === 'item' && (root === 'rss' || root === 'rdf')) {
          capture = 'loc';
        } else if (n === 'link' && p === 'entry' && root === 'feed') {
          // Atom: the entry's alternate (or rel-less) link.
          const rel = (attribs.rel ?? 'alternate').toLowerCase();
          if (rel === 'alternate' && attribs.href && loc === null) loc = attribs.href;
        } else if (n === 'updated' && p === 'entry' && root === 'feed') {
          capture = 'lastmod';
        }
        text = '';
      },
      ontext(data) {
        if (capture !== null && text.length < MAX_TEXT) text += data;
      },
      onclosetag(name) {
        const n = local(name);
        if (capture !== null) {
          if (capture === 'loc') loc = text.trim();
          else lastmod = text;
          capture = null;
          text = '';
        }
        const kind = ENTRY[`${root}/${n}`];
        if (kind !== undefined) {
          if (loc) out.push({ kind, loc, lastmod: cleanLastmod(lastmod) });
          loc = null;
          lastmod = null;
        }
        stack.pop();
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  return {
    kind: 'xml',
    write: (t) => parser.write(t),
    end: (t) => parser.end(t),
    root: () => root,
  };
}

function textState(out: SitemapEntry[]): TextState {
  let partial = '';
  const take = (line: string) => {
    const url = line.trim();
    if (url !== '' && !url.startsWith('#') && url.length <= MAX_TEXT) {
      out.push({ kind: 'page', loc: url, lastmod: null });
    }
  };
  return {
    kind: 'text',
    write(t) {
      const lines = (partial + t).split('\n');
      partial = lines.pop() ?? '';
      // A line with no end in sight is junk: keep memory bounded.
      if (partial.length > MAX_TEXT) partial = '';
      for (const l of lines) take(l);
    },
    end(t) {
      const lines = (partial + t).split('\n');
      partial = '';
      for (const l of lines) take(l);
    },
  };
}
