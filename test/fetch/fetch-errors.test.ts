import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrawlError } from '../../src/errors.js';
import { Fetcher } from '../../src/fetch/index.js';
import { errorCodeFor } from '../../src/fetch/map-error.js';
import { html, startServer, type TestServer } from '../helpers/http.js';

let server: TestServer;
const fetcher = new Fetcher({ allowPrivate: true, timeoutMs: 5000 });

beforeAll(async () => {
  server = await startServer((req, res) => {
    const p = req.url ?? '/';
    if (p === '/drip') {
      // Headers at once, then one byte per second, forever.
      res.writeHead(200, { 'content-type': 'text/html' });
      const timer = setInterval(() => res.write('a'), 1000);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (p === '/drip-headers') {
      // The status line, then one header byte per second.
      req.socket.write('HTTP/1.1 200 OK\r\n');
      const timer = setInterval(() => req.socket.write('x'), 1000);
      req.socket.on('close', () => clearInterval(timer));
      return;
    }
    if (p === '/endless-headers') {
      req.socket.write('HTTP/1.1 200 OK\r\n');
      const line = `X-Filler: ${'f'.repeat(1000)}\r\n`;
      const pump = () => {
        while (!req.socket.destroyed && req.socket.write(line)) {}
        if (!req.socket.destroyed) req.socket.once('drain', pump);
      };
      req.socket.on('error', () => {});
      pump();
      return;
    }
    if (p === '/reset') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': '1000' });
      res.write('partial');
      setTimeout(() => req.socket.destroy(), 20);
      return;
    }
    if (p.startsWith('/slow-redirects')) {
      // Each hop is quick, but the chain as a whole outlasts the budget.
      setTimeout(() => {
        res.writeHead(302, { location: `/slow-redirects?${Date.now()}` });
        res.end();
      }, 300);
      return;
    }
    html(res, 'ok');
  });
});
afterAll(async () => {
  await fetcher.close();
  await server.close();
});

async function failure(p: Promise<unknown>): Promise<CrawlError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CrawlError);
  return err as CrawlError;
}

describe('time budget', () => {
  it('times out a 1 byte/s body within the total budget', async () => {
    const started = Date.now();
    const err = await failure(fetcher.fetch(`${server.origin}/drip`, { timeoutMs: 1500 }));
    const elapsed = Date.now() - started;
    expect(err.code).toBe('FETCH_TIMEOUT');
    expect(err.message).toBe(`GET ${server.origin}/drip → timed out after 1500 ms`);
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(2500);
  });

  it('times out headers that drip in', async () => {
    const started = Date.now();
    const err = await failure(fetcher.fetch(`${server.origin}/drip-headers`, { timeoutMs: 1500 }));
    expect(err.code).toBe('FETCH_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('counts the budget across the whole redirect chain', async () => {
    const started = Date.now();
    const err = await failure(
      fetcher.fetch(`${server.origin}/slow-redirects`, { timeoutMs: 1000, maxRedirects: 50 }),
    );
    expect(err.code).toBe('FETCH_TIMEOUT');
    expect(err.message).toContain('/slow-redirects?');
    expect(Date.now() - started).toBeLessThan(1800);
  });
});

describe('transport failures', () => {
  it('maps endless headers to HEADERS_TOO_LARGE', async () => {
    const err = await failure(fetcher.fetch(`${server.origin}/endless-headers`));
    expect(err.code).toBe('HEADERS_TOO_LARGE');
  });

  it('maps a refused connection to CONNECTION_REFUSED', async () => {
    const closed = await startServer(() => {}, '127.0.0.4');
    await closed.close();
    const err = await failure(fetcher.fetch(`${closed.origin}/`));
    expect(err.code).toBe('CONNECTION_REFUSED');
    expect(err.message).toContain(`GET ${closed.origin}/ → `);
  });

  it('maps a connection closed mid-body to CONNECTION_RESET', async () => {
    const err = await failure(fetcher.fetch(`${server.origin}/reset`));
    expect(err.code).toBe('CONNECTION_RESET');
  });

  it('maps a failed TLS handshake to TLS_ERROR with one readable line, not raw OpenSSL text', async () => {
    const err = await failure(fetcher.fetch(`https://127.0.0.1:${server.port}/`));
    expect(err.code).toBe('TLS_ERROR');
    expect(err.message).toBe(
      `GET https://127.0.0.1:${server.port}/ → TLS handshake failed: wrong version number (ERR_SSL_WRONG_VERSION_NUMBER)`,
    );
  });

  it('maps a self-signed certificate to TLS_ERROR with a readable detail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-tls-'));
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const tls = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) =>
      res.end('<title>secret</title>'),
    );
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/`;
      const err = await failure(fetcher.fetch(url));
      expect(err.code).toBe('TLS_ERROR');
      expect(err.message).toBe(
        `GET ${url} → TLS handshake failed: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)`,
      );
    } finally {
      await new Promise((resolve) => tls.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects malformed and non-http URLs as INVALID_URL', async () => {
    expect((await failure(fetcher.fetch('not a url'))).code).toBe('INVALID_URL');
    expect((await failure(fetcher.fetch('ftp://127.0.0.1/x'))).code).toBe('INVALID_URL');
    expect((await failure(fetcher.fetch('file:///etc/passwd'))).code).toBe('INVALID_URL');
  });
});

describe('errorCodeFor', () => {
  const withCode = (code: string) => Object.assign(new Error('x'), { code });
  it.each([
    ['UND_ERR_CONNECT_TIMEOUT', 'FETCH_TIMEOUT'],
    ['UND_ERR_HEADERS_TIMEOUT', 'FETCH_TIMEOUT'],
    ['UND_ERR_BODY_TIMEOUT', 'FETCH_TIMEOUT'],
    ['ECONNREFUSED', 'CONNECTION_REFUSED'],
    ['ECONNRESET', 'CONNECTION_RESET'],
    ['UND_ERR_SOCKET', 'CONNECTION_RESET'],
    ['ENOTFOUND', 'DNS_NOT_FOUND'],
    ['EAI_AGAIN', 'DNS_FAILURE'],
    ['UND_ERR_HEADERS_OVERFLOW', 'HEADERS_TOO_LARGE'],
    ['CERT_HAS_EXPIRED', 'TLS_ERROR'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'TLS_ERROR'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'TLS_ERROR'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS_ERROR'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'TLS_ERROR'],
    ['Z_DATA_ERROR', 'DECOMPRESSION_FAILED'],
    ['EHOSTUNREACH', 'NETWORK_ERROR'],
  ])('%s → %s', (code, expected) => {
    expect(errorCodeFor(withCode(code))).toBe(expected);
  });

  it('looks through cause chains and defaults to NETWORK_ERROR', () => {
    expect(errorCodeFor(new Error('outer', { cause: withCode('ECONNREFUSED') }))).toBe('CONNECTION_REFUSED');
    expect(errorCodeFor(new Error('no code'))).toBe('NETWORK_ERROR');
  });
});
