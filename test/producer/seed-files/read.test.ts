import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  formatProblem,
  normalizeSeeds,
  readSeedChunks,
  readSeeds,
  type SeedLine,
  type SeedProblem,
  sniffFormat,
} from '../../../src/producer/seed-files/read.js';

const dir = mkdtempSync(join(tmpdir(), 'metacrawl-seeds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** `line url` for seeds, `line !reason` for problems: compact and order-preserving. */
async function read(source: string, opts?: Parameters<typeof readSeeds>[1]): Promise<string[]> {
  const items = await collect(readSeeds(source, opts));
  return items.map((x) => ('reason' in x ? `${x.line} !${x.reason}` : `${x.line} ${x.url}`));
}

const TXT = [
  '# seed list',
  'https://a.example/',
  '',
  '   ',
  '  https://b.example/x  ',
  '#https://commented.example/',
  'example.com/bare\r',
  'https://c.example/',
].join('\n');

describe('readSeeds: plain text', () => {
  it('skips comments and blank lines, trims, and keeps physical line numbers', async () => {
    expect(await read(file('list.txt', TXT))).toEqual([
      '2 https://a.example/',
      '5 https://b.example/x',
      '7 example.com/bare',
      '8 https://c.example/',
    ]);
  });

  it('handles CRLF line endings, a BOM and a missing final newline', async () => {
    const p = file('crlf.txt', '\uFEFFhttps://a.example/\r\n\r\nhttps://b.example/\r\nhttps://c.example/');
    expect(await read(p)).toEqual(['1 https://a.example/', '3 https://b.example/', '4 https://c.example/']);
  });

  it('reports the source path on every item', async () => {
    const p = file('src.txt', 'https://a.example/\n');
    const [item] = await collect(readSeeds(p));
    expect(item).toEqual({ url: 'https://a.example/', source: p, line: 1 });
  });

  it('defaults to plain text for an unknown extension', async () => {
    expect(await read(file('seeds.list', 'https://a.example/\nhttps://b.example/\n'))).toEqual([
      '1 https://a.example/',
      '2 https://b.example/',
    ]);
  });

  it('reports an overlong line without buffering it, then goes on', async () => {
    const p = file('long.txt', `https://a.example/\n${'x'.repeat(5000)}\nhttps://b.example/\n`);
    expect(await read(p, { maxLineBytes: 1000 })).toEqual([
      '1 https://a.example/',
      '2 !line longer than 1000 bytes',
      '3 https://b.example/',
    ]);
  });

  it('keeps multi-byte characters intact across chunk boundaries', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `https://bücher.example/€${i}`);
    const items = await collect(readSeeds(file('utf8.txt', lines.join('\n'))));
    expect(items.length).toBe(20_000);
    expect(items.every((x, i) => !('reason' in x) && x.url === lines[i] && x.line === i + 1)).toBe(true);
  });
});

describe('readSeeds: CSV', () => {
  it('reads the url column (header case-insensitive, quoted fields, embedded newlines)', async () => {
    const csv = [
      'id,Title,URL',
      '1,Home,https://a.example/',
      '2,"Quoted, with comma","https://b.example/?a=1,2"',
      '3,"two',
      'lines",https://c.example/',
      '',
      '4,"He said ""hi""",https://d.example/',
    ].join('\r\n');
    expect(await read(file('seeds.csv', csv))).toEqual([
      '2 https://a.example/',
      '3 https://b.example/?a=1,2',
      '4 https://c.example/',
      '7 https://d.example/',
    ]);
  });

  it('reports a missing url column once, at line 1, and stops the file', async () => {
    const p = file('nourl.csv', 'link,title\nhttps://a.example/,A\nhttps://b.example/,B\n');
    expect(await read(p)).toEqual(['1 !no "url" column in the CSV header']);
  });

  it('reports empty url cells, skips empty rows and short rows do not stop the file', async () => {
    const p = file('gaps.csv', 'url,title\nhttps://a.example/,A\n,orphan title\n,\nhttps://b.example/\n');
    expect(await read(p)).toEqual(['2 https://a.example/', '3 !empty url', '5 https://b.example/']);
  });

  it('counts physical lines across quoted CRLF, LF and blank lines', async () => {
    const csv =
      'url,note\r\nhttps://a.example/,"x\r\ny\r\nz"\r\n\r\nhttps://b.example/,"p\nq"\nhttps://c.example/,\n';
    expect(await read(file('lines.csv', csv))).toEqual([
      '2 https://a.example/',
      '6 https://b.example/',
      '8 https://c.example/',
    ]);
  });

  it('reports an unclosed quote at the line where the broken record starts', async () => {
    const p = file(
      'unclosed.csv',
      'url,n\r\nhttps://a.example/,"1\r\n2"\r\n\r\n"https://b.example/\r\nhttps://c.example/\r\n',
    );
    expect(await read(p)).toEqual(['2 https://a.example/', '5 !unclosed quote; rest of the file skipped']);
  });

  it('reports an oversized record instead of buffering it', async () => {
    const p = file('huge.csv', `url\nhttps://a.example/\n${'x'.repeat(5000)}\nhttps://b.example/\n`);
    expect(await read(p, { maxLineBytes: 1000 })).toEqual([
      '2 https://a.example/',
      '3 !record too long; rest of the file skipped',
    ]);
  });
});

describe('readSeeds: JSONL', () => {
  it('reads the url field and reports bad lines with their numbers while the rest goes on', async () => {
    const jsonl = [
      '{"url":"https://a.example/","title":"A"}',
      '',
      '{not json',
      '{"title":"no url"}',
      '["https://array.example/"]',
      '{"url": 42}',
      '{"url":" https://b.example/ "}',
    ].join('\n');
    expect(await read(file('seeds.jsonl', jsonl))).toEqual([
      '1 https://a.example/',
      '3 !invalid JSON',
      '4 !missing "url" field',
      '5 !not a JSON object',
      '6 !missing "url" field',
      '7 https://b.example/',
    ]);
  });

  it('treats .ndjson as JSONL', async () => {
    expect(await read(file('seeds.ndjson', '{"url":"https://a.example/"}\n'))).toEqual([
      '1 https://a.example/',
    ]);
  });
});

describe('readSeeds: gzip', () => {
  it.each([
    [
      'list.txt.gz',
      'https://a.example/\n# c\nhttps://b.example/\n',
      ['1 https://a.example/', '3 https://b.example/'],
    ],
    ['seeds.csv.gz', 'title,url\nA,https://a.example/\n', ['2 https://a.example/']],
    ['seeds.jsonl.gz', '{"url":"https://a.example/"}\nnope\n', ['1 https://a.example/', '2 !invalid JSON']],
  ])('reads %s, taking the inner format from the name', async (name, content, expected) => {
    expect(await read(file(name, gzipSync(content)))).toEqual(expected);
  });

  it('detects gzip by magic bytes and sniffs the inner format when the name says nothing', async () => {
    const csv = file('export.bin', gzipSync('URL,title\nhttps://a.example/,A\n'));
    expect(await read(csv)).toEqual(['2 https://a.example/']);
    const jsonl = file('dump', gzipSync('{"url":"https://a.example/"}\n'));
    expect(await read(jsonl)).toEqual(['1 https://a.example/']);
    const txt = file('misnamed.txt', gzipSync('https://a.example/\n'));
    expect(await read(txt)).toEqual(['1 https://a.example/']);
  });

  it('reads concatenated gzip members as one file', async () => {
    const p = file(
      'multi.txt.gz',
      Buffer.concat([gzipSync('https://a.example/\n'), gzipSync('https://b.example/\n')]),
    );
    expect(await read(p)).toEqual(['1 https://a.example/', '2 https://b.example/']);
  });

  it('throws a clear error on corrupt gzip data', async () => {
    const good = gzipSync('https://a.example/\n'.repeat(1000));
    const p = file('corrupt.txt.gz', Buffer.concat([good.subarray(0, 30), Buffer.alloc(200, 0x55)]));
    await expect(read(p)).rejects.toThrow(/bad gzip data/);
  });
});

describe('readSeeds: stdin and errors', () => {
  it('reads "-" from the given stream, sniffing the format', async () => {
    const stdin = Readable.from(['https://a.example/\n# x\n', 'https://b', '.example/\n']);
    expect(await read('-', { stdin })).toEqual(['1 https://a.example/', '3 https://b.example/']);
    const jsonl = Readable.from([Buffer.from('{"url":"https://a.example/"}\n{bad\n')]);
    expect(await read('-', { stdin: jsonl })).toEqual(['1 https://a.example/', '2 !invalid JSON']);
  });

  it('reads gzipped stdin and names the source "stdin"', async () => {
    const stdin = Readable.from([gzipSync('url\nhttps://a.example/\n')]);
    const items = await collect(readSeeds('-', { stdin }));
    expect(items).toEqual([{ url: 'https://a.example/', source: 'stdin', line: 2 }]);
  });

  it('honours an explicit format over the extension', async () => {
    const p = file('really-csv.txt', 'url\nhttps://a.example/\n');
    expect(await read(p, { format: 'csv' })).toEqual(['2 https://a.example/']);
    expect(await read(p)).toEqual(['1 url', '2 https://a.example/']);
  });

  it('throws "seed file not found" for a missing file', async () => {
    const p = join(dir, 'nope.txt');
    await expect(read(p)).rejects.toThrow(`seed file not found: ${p}`);
  });

  it('stops reading and releases the stream when the consumer breaks early', async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced++;
        this.push('https://a.example/\n'.repeat(1000));
      },
    });
    let n = 0;
    for await (const _ of readSeeds('-', { stdin: endless })) if (++n === 3) break;
    expect(n).toBe(3);
    expect(endless.destroyed).toBe(true);
    expect(produced).toBeLessThan(100);
  });
});

describe('readSeedChunks: chunk boundaries', () => {
  /** The content as a stream cut at the given byte offsets. */
  function cut(content: Buffer, at: number[]): Readable {
    const edges = [0, ...at, content.length];
    return Readable.from(edges.slice(1).map((end, i) => content.subarray(edges[i], end)));
  }
  /** Every two-piece cut, and every run of equal pieces. */
  function cuts(len: number): number[][] {
    const out: number[][] = [];
    for (let k = 1; k < len; k++) out.push([k]);
    for (let size = 1; size < len; size++) {
      out.push(Array.from({ length: Math.ceil(len / size) - 1 }, (_, i) => (i + 1) * size));
    }
    return out;
  }

  it('reports each bad line with its number wherever the chunks end (CRLF, BOM, no final newline)', async () => {
    const jsonl = Buffer.from(
      [
        '\uFEFF{"url":"https://a.example/"}\r\n',
        '\r\n',
        '{bad\r\n',
        `{"url":"https://b.example/${'x'.repeat(40)}"}\n`,
        '{"url":"https://ü.example/€"}\n',
        '{"url":"https://c.example/"}',
      ].join(''),
    );
    const expected = [
      '1 https://a.example/',
      '3 !invalid JSON',
      '4 !line longer than 40 bytes',
      '5 https://ü.example/€',
      '6 https://c.example/',
    ];
    for (const at of cuts(jsonl.length)) {
      const got = await read('-', { stdin: cut(jsonl, at), format: 'jsonl', maxLineBytes: 40 });
      expect(got, `cut at ${at.join(',')}`).toEqual(expected);
    }
  });

  it('reports an overlong last line that has no newline, and one cut in many pieces', async () => {
    const txt = Buffer.from(
      `https://a.example/\r\n${'y'.repeat(30)}\r\n${'w'.repeat(25)}\n${'v'.repeat(26)}\nhttps://b.example/\n${'z'.repeat(30)}`,
    );
    // 25 bytes is the most a line may have.
    const expected = [
      '1 https://a.example/',
      '2 !line longer than 25 bytes',
      `3 ${'w'.repeat(25)}`,
      '4 !line longer than 25 bytes',
      '5 https://b.example/',
      '6 !line longer than 25 bytes',
    ];
    for (const at of cuts(txt.length)) {
      const got = await read('-', { stdin: cut(txt, at), format: 'txt', maxLineBytes: 25 });
      expect(got, `cut at ${at.join(',')}`).toEqual(expected);
    }
  });

  it('reads CSV records the same wherever the chunks end', async () => {
    const csv = Buffer.from('title,url\r\nA,https://a.example/\r\n"B\r\nb",\r\n,\r\nC,"https://c.example/"');
    const expected = ['2 https://a.example/', '3 !empty url', '6 https://c.example/'];
    expect(await read('-', { stdin: cut(csv, []), format: 'csv' })).toEqual(expected);
    for (const at of cuts(csv.length)) {
      const got = await read('-', { stdin: cut(csv, at), format: 'csv' });
      expect(got, `cut at ${at.join(',')}`).toEqual(expected);
    }
  });

  it('throws an error of the CSV input stream, whenever it comes', async () => {
    for (const chunks of [1, 2, 50]) {
      let sent = 0;
      const stdin = new Readable({
        read() {
          if (sent++ < chunks) this.push('url\nhttps://a.example/\n');
          else this.destroy(new Error('disk gone'));
        },
      });
      await expect(collect(readSeeds('-', { stdin, format: 'csv' }))).rejects.toThrow('disk gone');
    }
  });

  it('hands lines over in arrays, not one by one', async () => {
    for (const [name, head, line] of [
      ['many.txt', '', (i: number) => `https://a.example/${i}`],
      ['many.jsonl', '', (i: number) => `{"url":"https://a.example/${i}"}`],
      ['many.csv', 'url\n', (i: number) => `https://a.example/${i}`],
    ] as const) {
      const p = file(name, `${head}${Array.from({ length: 10_000 }, (_, i) => line(i)).join('\n')}\n`);
      const chunks = await collect(readSeedChunks(p));
      expect(chunks.every((c) => c.length > 0)).toBe(true);
      expect(chunks.length, name).toBeLessThan(100);
      const flat = chunks.flat();
      expect(flat.length).toBe(10_000);
      expect(flat.every((x, i) => !('reason' in x) && x.url === `https://a.example/${i}`)).toBe(true);
    }
  });
});

describe('sniffFormat', () => {
  it.each([
    ['https://a.example/\n', 'txt'],
    ['# comment\n{"url":"x"}\n', 'jsonl'],
    ['\uFEFFid,"URL"\n1,x\n', 'csv'],
    ['https://a.example/?a=1,2\n', 'txt'],
    ['URL\nhttps://a.example/\n', 'csv'],
    ['', 'txt'],
  ])('%j → %s', (head, expected) => {
    expect(sniffFormat(head)).toBe(expected);
  });
});

describe('normalizeSeeds', () => {
  it('normalizes good URLs and turns failures into file:line problems', async () => {
    const p = file(
      'mixed.txt',
      'Example.COM/a?utm_source=x\nftp://x.example/\njavascript:alert(1)\nhttps://b.example/#f\n',
    );
    const out = await collect(normalizeSeeds(readSeeds(p)));
    expect(out.map((r) => (r.ok ? r.url : formatProblem(r.problem)))).toEqual([
      'https://example.com/a',
      `${p}:2: unsupported scheme "ftp:"`,
      `${p}:3: unsupported scheme "javascript:"`,
      'https://b.example/',
    ]);
    const first = out[0];
    expect(first.ok && first.line).toEqual({ url: 'Example.COM/a?utm_source=x', source: p, line: 1 });
  });

  it('passes reader problems through and applies options', async () => {
    async function* src(): AsyncGenerator<SeedLine | SeedProblem> {
      yield { source: 's.jsonl', line: 1, reason: 'invalid JSON' };
      yield { url: 'https://e.com/?b=1&a=2', source: 's.jsonl', line: 2 };
      yield { url: 'https://e.com/abcdefghij', source: 's.jsonl', line: 3 };
    }
    const out = await collect(normalizeSeeds(src(), { sortQuery: true, maxUrlLength: 23 }));
    expect(out.map((r) => (r.ok ? r.url : formatProblem(r.problem)))).toEqual([
      's.jsonl:1: invalid JSON',
      'https://e.com/?a=2&b=1',
      's.jsonl:3: URL longer than 23 characters',
    ]);
  });
});
