/**
 * A stopping worker closes its fetcher: a request still running is cut by destroy(), and a job that reaches the
 * fetcher afterwards is refused, instead of opening a new connection that close() would then wait on for ever.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fetcher } from '../../src/fetch/index.js';
import { html, startServer, type TestServer } from '../helpers/http.js';

let server: TestServer;
const hung: Array<() => void> = [];

beforeAll(async () => {
  server = await startServer(async (req, res) => {
    if (req.url === '/hang') await new Promise<void>((resolve) => hung.push(resolve));
    html(res, '<title>late</title>');
  });
});
afterAll(async () => {
  for (const h of hung.splice(0)) h();
  await server.close();
});

describe('closing the fetcher', () => {
  it('cuts a request in flight on destroy, and refuses requests after it without connecting', async () => {
    const fetcher = new Fetcher({ allowPrivate: true, timeoutMs: 60_000 });
    const inFlight = fetcher.fetch(`${server.origin}/hang`).catch((e: unknown) => e);
    while (hung.length === 0) await new Promise((r) => setTimeout(r, 10));
    await fetcher.destroy();
    expect(await inFlight).toBeInstanceOf(Error);

    const before = server.log.length;
    const late = await fetcher.fetch(`${server.origin}/page`).catch((e: unknown) => e);
    expect((late as Error).message).toMatch(/fetcher is closed/);
    expect(server.log.length).toBe(before);
    // Nothing is left to wait for.
    await fetcher.close();
  });

  it('refuses requests once closed', async () => {
    const fetcher = new Fetcher({ allowPrivate: true });
    expect((await fetcher.fetch(`${server.origin}/a`)).status).toBe(200);
    await fetcher.close();
    const late = await fetcher.fetch(`${server.origin}/b`).catch((e: unknown) => e);
    expect((late as Error).message).toMatch(/fetcher is closed/);
    expect(server.log.map((r) => r.path)).not.toContain('/b');
  });
});
