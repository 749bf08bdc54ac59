import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrawlError } from '../../src/errors.js';
import { gunzipSized, outputChunk } from '../../src/fetch/body.js';
import { decodeBody, Fetcher } from '../../src/fetch/index.js';
import { startServer, type TestServer } from '../helpers/http.js';

const MiB = 1024 * 1024;
const PAGE = Buffer.from(`<!doctype html><title>Compressed</title>${'<p>hello world</p>'.repeat(500)}`);
/** 1 MB that gzip shrinks only by half: far past the one-shot limit (64 KB of compressed body). */
const BIG = Buffer.from(randomBytes(512 * 1024).toString('hex'));
const BIG_GZIP = zlib.gzipSync(BIG);

let server: TestServer;
let bombBytesSent = 0;
const fetcher = new Fetcher({ allowPrivate: true, timeoutMs: 10_000 });

/** `total` zero bytes, produced lazily so only what the client pulls is ever generated. */
function zeros(total: number): Readable {
  let left = total;
  const chunk = Buffer.alloc(64 * 1024);
  return new Readable({
    read() {
      if (left <= 0) return this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(chunk.subarray(0, n));
    },
  });
}

beforeAll(async () => {
  server = await startServer(async (req, res) => {
    const p = req.url ?? '/';
    const send = (encoding: string, body: Buffer) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': encoding });
      res.end(body);
    };
    if (p === '/gzip') return send('gzip', zlib.gzipSync(PAGE));
    // Two members: the trailer's size (the output buffer's hint) is the last member's only.
    if (p === '/gzip-members')
      return send(
        'gzip',
        Buffer.concat([zlib.gzipSync(PAGE.subarray(0, 7000)), zlib.gzipSync(PAGE.subarray(7000))]),
      );
    if (p === '/x-gzip') return send('x-gzip', zlib.gzipSync(PAGE));
    if (p === '/gzip-big') {
      // Sent in small writes, the client's buffer fills and it must pause and resume the socket.
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
      for (let i = 0; i < BIG_GZIP.length; i += 4096) res.write(BIG_GZIP.subarray(i, i + 4096));
      res.end();
      return;
    }
    if (p === '/early-hints') {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      return send('gzip', zlib.gzipSync(PAGE));
    }
    if (p === '/deflate') return send('deflate', zlib.deflateSync(PAGE));
    if (p === '/deflate-raw') return send('deflate', zlib.deflateRawSync(PAGE));
    if (p === '/br') return send('br', zlib.brotliCompressSync(PAGE));
    if (p === '/gzip-br') return send('gzip, br', zlib.brotliCompressSync(zlib.gzipSync(PAGE)));
    if (p === '/corrupt')
      return send('gzip', Buffer.concat([zlib.gzipSync(PAGE).subarray(0, 10), Buffer.alloc(200, 0x55)]));
    if (p === '/unknown-coding') return send('compress', PAGE);
    if (p === '/bomb') {
      // 1 GiB of zeros, gzipped on the fly (about 1 MB on the wire if it were all sent).
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
      const gzip = zlib.createGzip({ level: 9 });
      gzip.on('data', (c: Buffer) => {
        bombBytesSent += c.length;
      });
      await pipeline(zeros(1024 * MiB), gzip, res).catch(() => {});
      return;
    }
    if (p === '/huge') {
      // 50 MB of one line, no newline anywhere.
      res.writeHead(200, { 'content-type': 'text/html' });
      await pipeline(
        zeros(50 * 1000 * 1000).map((c: Buffer) => Buffer.alloc(c.length, 0x61)),
        res,
      ).catch(() => {});
      return;
    }
    if (p === '/exact') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(Buffer.alloc(1000, 0x61));
      return;
    }
    res.writeHead(404);
    res.end();
  });
});
afterAll(async () => {
  await fetcher.close();
  await server.close();
});

describe('body decoding', () => {
  it.each(['/gzip', '/gzip-members', '/x-gzip', '/deflate', '/deflate-raw', '/br', '/gzip-br'])(
    'decodes %s',
    async (path) => {
      const res = await fetcher.fetch(server.origin + path);
      expect(res.body.equals(PAGE)).toBe(true);
      expect(res.bytes).toBe(PAGE.length);
      expect(res.truncated).toBe(false);
    },
  );

  it('sizes the one-shot gunzip buffer from the gzip trailer, never past the cap or what deflate can expand to', () => {
    const gz = zlib.gzipSync(PAGE);
    expect(outputChunk(gz, 10 * MiB)).toBe(PAGE.length + 1);
    expect(outputChunk(gz, 1000)).toBe(1001);
    const lying = Buffer.from(gz);
    lying.writeUInt32LE(0xffffffff, lying.length - 4);
    expect(outputChunk(lying, 100 * MiB)).toBe(gz.length * 1032 + 1024);
    lying.writeUInt32LE(0, lying.length - 4);
    expect(outputChunk(lying, 100 * MiB)).toBe(64);
  });

  it.each([
    ['/gzip', 'gzip'],
    ['/deflate', 'deflate'],
    ['/deflate-raw', 'deflate'],
    ['/br', 'br'],
    ['/gzip-br', 'gzip, br'],
  ])('keeps %s as received with capture, and decodeBody gives the body back', async (path, coding) => {
    const res = await fetcher.fetch(server.origin + path, { capture: true });
    const ex = res.exchanges?.[0];
    expect(ex?.body.equals(PAGE)).toBe(true);
    const wire = ex?.wire as Buffer;
    expect(wire.length).toBeLessThan(PAGE.length);
    expect(decodeBody(wire, coding).equals(PAGE)).toBe(true);
    // Not kept without capture, nor for a body cut at the cap (it is stored decoded).
    const cut = await fetcher.fetch(server.origin + path, { capture: true, maxBytes: 100 });
    expect(cut.truncated).toBe(true);
    expect(cut.exchanges?.[0].wire).toBeNull();
  });

  it('gunzipSized sizes its output from the gzip trailer, and a trailer that lies changes nothing', () => {
    const big = Buffer.concat([PAGE, PAGE, PAGE, PAGE, PAGE, PAGE]); // > 16 KB: more than one default chunk
    const gz = zlib.gzipSync(big);
    expect(gunzipSized(gz).equals(big)).toBe(true);
    // Two members: the trailer tells the last one's size only.
    const two = Buffer.concat([zlib.gzipSync(big), zlib.gzipSync(PAGE)]);
    expect(gunzipSized(two).equals(Buffer.concat([big, PAGE]))).toBe(true);
    // A stream cut short (its trailer is payload bytes), read as decodeBody reads it.
    const cut = gz.subarray(0, gz.length - 100);
    const flush = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
    expect(gunzipSized(cut, flush).equals(zlib.gunzipSync(cut, flush))).toBe(true);
    expect(decodeBody(gz, 'gzip').equals(big)).toBe(true);
  });

  it('decodes a gzip body too long to inflate in one call, read as a stream', async () => {
    expect(BIG_GZIP.length).toBeGreaterThan(4 * 64 * 1024);
    const res = await fetcher.fetch(`${server.origin}/gzip-big`);
    expect(res.truncated).toBe(false);
    expect(res.bytes).toBe(BIG.length);
    expect(res.body.equals(BIG)).toBe(true);
    const cut = await fetcher.fetch(`${server.origin}/gzip-big`, { maxBytes: 100_000 });
    expect(cut.truncated).toBe(true);
    expect(cut.body.equals(BIG.subarray(0, 100_000))).toBe(true);
  });

  it('reads the final response after a 103 Early Hints', async () => {
    const res = await fetcher.fetch(`${server.origin}/early-hints`);
    expect(res.status).toBe(200);
    expect(res.body.equals(PAGE)).toBe(true);
  });

  it('decodeBody fails bad data with DECOMPRESSION_FAILED', () => {
    const err = (() => {
      try {
        return decodeBody(Buffer.alloc(50, 0x55), 'gzip');
      } catch (e) {
        return e;
      }
    })();
    expect((err as CrawlError).code).toBe('DECOMPRESSION_FAILED');
  });

  it('fails corrupt compressed data with DECOMPRESSION_FAILED', async () => {
    const err = await fetcher.fetch(`${server.origin}/corrupt`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CrawlError);
    expect((err as CrawlError).code).toBe('DECOMPRESSION_FAILED');
    expect((err as CrawlError).message).toContain(`GET ${server.origin}/corrupt → `);
  });

  it('fails an unsupported content-encoding with DECOMPRESSION_FAILED', async () => {
    const err = await fetcher.fetch(`${server.origin}/unknown-coding`).catch((e: unknown) => e);
    expect((err as CrawlError).code).toBe('DECOMPRESSION_FAILED');
  });
});

describe('body caps', () => {
  it('stops a gzip bomb at the decoded cap, without inflating the rest', async () => {
    const res = await fetcher.fetch(`${server.origin}/bomb`, { maxBytes: MiB });
    expect(res.truncated).toBe(true);
    expect(res.bytes).toBe(MiB);
    expect(res.body.every((b) => b === 0)).toBe(true);
    // The whole bomb is ~1 MB compressed; a reader that stopped at the cap pulled only a sliver of it.
    expect(bombBytesSent).toBeLessThan(200 * 1024);
  });

  it('caps a 50 MB page without a newline', async () => {
    const res = await fetcher.fetch(`${server.origin}/huge`, { maxBytes: MiB });
    expect(res.truncated).toBe(true);
    expect(res.bytes).toBe(MiB);
    expect(res.body.every((b) => b === 0x61)).toBe(true);
  });

  it('is not truncated when the body is exactly the cap', async () => {
    const res = await fetcher.fetch(`${server.origin}/exact`, { maxBytes: 1000 });
    expect(res.truncated).toBe(false);
    expect(res.bytes).toBe(1000);
    const cut = await fetcher.fetch(`${server.origin}/exact`, { maxBytes: 999 });
    expect(cut.truncated).toBe(true);
    expect(cut.bytes).toBe(999);
  });

  it('caps decoded bytes of a normal compressed page too', async () => {
    const res = await fetcher.fetch(`${server.origin}/br`, { maxBytes: 100 });
    expect(res.truncated).toBe(true);
    expect(res.body.equals(PAGE.subarray(0, 100))).toBe(true);
  });
});
