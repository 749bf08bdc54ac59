import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CrawlError } from '../../src/errors.js';
import { Fetcher } from '../../src/fetch/index.js';
import { html, startServer, type TestServer } from '../helpers/http.js';

let server: TestServer;
const fetcher = new Fetcher({ allowPrivate: true, timeoutMs: 5000 });

beforeAll(async () => {
  server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    const go = (status: number, location: string) => {
      res.writeHead(status, { location });
      res.end('moved');
    };
    if (p === '/a') return go(301, '/b');
    if (p === '/b') return go(302, `${server.origin}/c?x=1`);
    if (p === '/c') return go(307, 'd');
    if (p === '/d') return html(res, '<title>D</title>');
    if (p === '/loop1') return go(302, '/loop2');
    if (p === '/loop2') return go(302, '/loop1');
    if (p.startsWith('/chain/')) {
      const n = Number(p.slice(7));
      return n === 0 ? html(res, 'end') : go(302, `/chain/${n - 1}`);
    }
    if (p === '/no-location') {
      res.writeHead(302);
      res.end();
      return;
    }
    if (p === '/big-redirect') {
      // A redirect with a body past what is read of one (64 KB): the rest is not waited for.
      res.writeHead(302, { location: '/d' });
      res.end(Buffer.alloc(1024 * 1024, 0x61));
      return;
    }
    if (p === '/to-ftp') return go(301, 'ftp://example.com/file');
    if (p === '/to-creds') return go(301, `http://user:secret@${server.host}:${server.port}/d`);
    if (p === '/echo') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.headers));
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
afterEach(() => {
  server.log.length = 0;
});

async function failure(p: Promise<unknown>): Promise<CrawlError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CrawlError);
  return err as CrawlError;
}

describe('redirects', () => {
  it('follows a chain and records every hop with its status', async () => {
    const res = await fetcher.fetch(`${server.origin}/a`);
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${server.origin}/a`);
    expect(res.finalUrl).toBe(`${server.origin}/d`);
    expect(res.redirects).toEqual([
      { url: `${server.origin}/a`, status: 301 },
      { url: `${server.origin}/b`, status: 302 },
      { url: `${server.origin}/c?x=1`, status: 307 },
    ]);
    expect(res.body.toString()).toBe('<title>D</title>');
    expect(res.contentType).toBe('text/html');
    expect(res.remoteAddress).toBe('127.0.0.1');
    expect(server.log.map((r) => r.path)).toEqual(['/a', '/b', '/c?x=1', '/d']);
  });

  it('follows a redirect whose body is too long to read', async () => {
    const res = await fetcher.fetch(`${server.origin}/big-redirect`);
    expect(res.status).toBe(200);
    expect(res.redirects).toEqual([{ url: `${server.origin}/big-redirect`, status: 302 }]);
    expect(res.body.toString()).toContain('<title>D</title>');
  });

  it('detects a redirect loop', async () => {
    const err = await failure(fetcher.fetch(`${server.origin}/loop1`));
    expect(err.code).toBe('TOO_MANY_REDIRECTS');
    expect(err.message).toContain(`GET ${server.origin}/loop2 → redirect loop`);
    expect(server.log).toHaveLength(2);
  });

  it('follows exactly maxRedirects hops and refuses the next one', async () => {
    const ok = await fetcher.fetch(`${server.origin}/chain/10`);
    expect(ok.redirects).toHaveLength(10);
    expect(ok.finalUrl).toBe(`${server.origin}/chain/0`);
    const err = await failure(fetcher.fetch(`${server.origin}/chain/11`));
    expect(err.code).toBe('TOO_MANY_REDIRECTS');
    expect(err.message).toContain('more than 10 redirects');
    const three = await failure(fetcher.fetch(`${server.origin}/chain/4`, { maxRedirects: 3 }));
    expect(three.code).toBe('TOO_MANY_REDIRECTS');
  });

  it('rejects a redirect without Location or to a non-http scheme as BAD_REDIRECT', async () => {
    expect((await failure(fetcher.fetch(`${server.origin}/no-location`))).code).toBe('BAD_REDIRECT');
    expect((await failure(fetcher.fetch(`${server.origin}/to-ftp`))).code).toBe('BAD_REDIRECT');
  });

  it('never sends or shows credentials from a URL', async () => {
    const res = await fetcher.fetch(`${server.origin}/to-creds`);
    expect(res.finalUrl).toBe(`${server.origin}/d`);
    expect(server.log.every((r) => r.headers.authorization === undefined)).toBe(true);
    const err = await failure(fetcher.fetch(`http://user:secret@${server.host}:${server.port}/loop1`));
    expect(err.message).not.toContain('secret');
  });

  it('sends user-agent, accept and accept-encoding', async () => {
    const res = await fetcher.fetch(`${server.origin}/echo`, {
      userAgent: 'TestBot/1.0',
      accept: 'text/plain',
    });
    const headers = JSON.parse(res.body.toString());
    expect(headers['user-agent']).toBe('TestBot/1.0');
    expect(headers.accept).toBe('text/plain');
    expect(headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('returns non-2xx responses instead of throwing', async () => {
    const res = await fetcher.fetch(`${server.origin}/missing`);
    expect(res.status).toBe(404);
    expect(res.redirects).toEqual([]);
  });
});
