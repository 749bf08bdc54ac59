import type dns from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CrawlError } from '../../src/errors.js';
import { createAddressPolicy } from '../../src/fetch/address-policy.js';
import { guardedLookup } from '../../src/fetch/guard.js';
import { Fetcher } from '../../src/fetch/index.js';
import { html, startServer, type TestServer } from '../helpers/http.js';

let one: TestServer;
let two: TestServer;
let three: TestServer;
const fetchers: Fetcher[] = [];
const make = (opts: ConstructorParameters<typeof Fetcher>[0]) => {
  const f = new Fetcher({ timeoutMs: 5000, ...opts });
  fetchers.push(f);
  return f;
};

beforeAll(async () => {
  const handler =
    (host: string) => (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      if (req.url === '/to-three') {
        res.writeHead(302, { location: `${three.origin}/landed` });
        res.end();
        return;
      }
      html(res, `hello from ${host}`);
    };
  one = await startServer(handler('one'), '127.0.0.1');
  two = await startServer(handler('two'), '127.0.0.2');
  three = await startServer(handler('three'), '127.0.0.3');
});
afterAll(async () => {
  await Promise.all(fetchers.map((f) => f.close()));
  await Promise.all([one.close(), two.close(), three.close()]);
});
afterEach(() => {
  for (const s of [one, two, three]) s.log.length = 0;
});

async function failure(p: Promise<unknown>): Promise<CrawlError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CrawlError);
  return err as CrawlError;
}

describe('private addresses', () => {
  it('refuses 127.0.0.1 by default, before any request is sent', async () => {
    const err = await failure(make({}).fetch(`${one.origin}/`));
    expect(err.code).toBe('BLOCKED_PRIVATE_ADDRESS');
    expect(err.message).toContain(`GET ${one.origin}/ → 127.0.0.1`);
    expect(err.message).toContain('loopback');
    expect(one.log).toHaveLength(0);
  });

  it('allows every private address with allowPrivate: true', async () => {
    const res = await make({ allowPrivate: true }).fetch(`${one.origin}/`);
    expect(res.body.toString()).toBe('hello from one');
    expect(one.log).toHaveLength(1);
  });

  it('allows only the listed addresses with an allowlist', async () => {
    const f = make({ allowPrivate: ['127.0.0.2'] });
    expect((await f.fetch(`${two.origin}/`)).body.toString()).toBe('hello from two');
    expect((await failure(f.fetch(`${three.origin}/`))).code).toBe('BLOCKED_PRIVATE_ADDRESS');
    expect(two.log).toHaveLength(1);
    expect(three.log).toHaveLength(0);
  });

  it('blocks a redirect from an allowed host to a refused one', async () => {
    const err = await failure(make({ allowPrivate: ['127.0.0.2/32'] }).fetch(`${two.origin}/to-three`));
    expect(err.code).toBe('BLOCKED_PRIVATE_ADDRESS');
    expect(err.message).toContain(`GET ${three.origin}/landed → `);
    expect(two.log).toHaveLength(1);
    expect(three.log).toHaveLength(0);
    // The same chain goes through when both are allowed.
    const res = await make({ allowPrivate: ['127.0.0.2', '127.0.0.3'] }).fetch(`${two.origin}/to-three`);
    expect(res.finalUrl).toBe(`${three.origin}/landed`);
  });

  it('refuses a host name that resolves to loopback (localhost), checked on the resolved address', async () => {
    const err = await failure(make({}).fetch(`http://localhost:${one.port}/`));
    expect(err.code).toBe('BLOCKED_PRIVATE_ADDRESS');
    expect(err.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1)/);
    expect(one.log).toHaveLength(0);
    // Control: the same name reaches the server when its address is allowed.
    const res = await make({ allowPrivate: ['127.0.0.1'] }).fetch(`http://localhost:${one.port}/`);
    expect(res.body.toString()).toBe('hello from one');
    expect(res.remoteAddress).toBe('127.0.0.1');
  });

  it('refuses IPv6 and IPv4-mapped literals up front', async () => {
    const f = make({});
    expect((await failure(f.fetch(`http://[::1]:${one.port}/`))).code).toBe('BLOCKED_PRIVATE_ADDRESS');
    expect((await failure(f.fetch(`http://[::ffff:127.0.0.1]:${one.port}/`))).code).toBe(
      'BLOCKED_PRIVATE_ADDRESS',
    );
    expect((await failure(f.fetch(`http://169.254.169.254/latest/meta-data/`))).code).toBe(
      'BLOCKED_PRIVATE_ADDRESS',
    );
  });

  it('applies a per-fetch allowPrivate override on its own connections', async () => {
    const f = make({ allowPrivate: true });
    expect((await f.fetch(`${one.origin}/`)).status).toBe(200);
    expect((await failure(f.fetch(`${one.origin}/`, { allowPrivate: false }))).code).toBe(
      'BLOCKED_PRIVATE_ADDRESS',
    );
    expect(one.log).toHaveLength(1);
  });

  it('rejects a malformed allowlist entry when the fetcher is built', () => {
    expect(() => new Fetcher({ allowPrivate: ['10.0.0.0/33'] })).toThrow(/10\.0\.0\.0\/33/);
    expect(() => new Fetcher({ allowPrivate: ['not-an-ip'] })).toThrow(TypeError);
  });
});

describe('guardedLookup (DNS answers, as a rebinding attacker would serve them)', () => {
  const fakeDns = (answer: LookupAddress[]) =>
    ((_host: string, _opts: unknown, cb: (err: null, addresses: LookupAddress[]) => void) =>
      cb(null, answer)) as unknown as typeof dns.lookup;
  const run = (answer: LookupAddress[], all: boolean) =>
    new Promise<{ err: Error | null; result: unknown }>((resolve) => {
      const lookup = guardedLookup(createAddressPolicy(false), fakeDns(answer));
      lookup(
        'rebind.test',
        { all } as never,
        ((err: Error | null, result: unknown) => resolve({ err, result })) as never,
      );
    });

  it('refuses a name whose only answers are private', async () => {
    const { err } = await run([{ address: '10.1.2.3', family: 4 }], false);
    expect((err as CrawlError).code).toBe('BLOCKED_PRIVATE_ADDRESS');
    expect(err?.message).toContain('rebind.test resolves to 10.1.2.3');
  });

  it('hands out only the public answers of a mixed answer', async () => {
    const answer = [
      { address: '127.0.0.1', family: 4 },
      { address: '93.184.216.34', family: 4 },
      { address: 'fd00::1', family: 6 },
    ];
    expect((await run(answer, true)).result).toEqual([{ address: '93.184.216.34', family: 4 }]);
    expect((await run(answer, false)).result).toBe('93.184.216.34');
  });
});
