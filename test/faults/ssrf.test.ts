/**
 * Nobody let in: non-public addresses are refused unless --allow-private (bare or a list), judged on the
 * address actually connected to, on every redirect hop and for robots.txt; non-http(s) schemes are refused
 * at submit; credentials in URLs never reach a log or an error message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { html, startServer, type TestServer } from '../helpers/http.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';
import { byUrl, cleanup, pageRows, runCli, seedFile, simplePage, tempDir } from './helpers.js';

let dir: string;
let loopback: TestServer; // 127.0.0.1, what `localhost` resolves to
let target: TestServer; // 127.0.0.71
let allowed: TestServer; // 127.0.0.72 (in the allow list)
let forbidden: TestServer; // 127.0.0.73 (not in it)
let robotsHop: TestServer; // 127.0.0.75 (in the list; its robots.txt redirects to 127.0.0.73)

beforeAll(async () => {
  dir = tempDir('ssrf');
  const plain = (_req: unknown, res: Parameters<typeof html>[0]) => html(res, simplePage('reached'));
  loopback = await startServer(plain, '127.0.0.1');
  target = await startServer(plain, '127.0.0.71');
  forbidden = await startServer(plain, '127.0.0.73');
  allowed = await startServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/robots.txt') return void res.writeHead(404).end();
    if (path === '/to-forbidden') return void res.writeHead(302, { location: `${forbidden.origin}/x` }).end();
    if (path === '/fail') return void html(res, 'no', 500);
    if (path === '/redir') {
      return void res
        .writeHead(301, { location: `http://other:secret2@127.0.0.72:${allowed.port}/ok2` })
        .end();
    }
    html(res, simplePage(`allowed ${path}`));
  }, '127.0.0.72');
  robotsHop = await startServer((req, res) => {
    if (req.url === '/robots.txt')
      return void res.writeHead(302, { location: `${forbidden.origin}/robots.txt` }).end();
    html(res, simplePage('hop'));
  }, '127.0.0.75');
});
afterAll(async () => {
  await Promise.all([loopback, target, allowed, forbidden, robotsHop].map((s) => s?.close()));
  cleanup();
});

function crawl(name: string, lines: string[], extra: string[]) {
  const seeds = seedFile(dir, `${name}.txt`, lines);
  const args = ['crawl', seeds, '--crawl', name, '--db', `${dir}/${name}.db`, '--redis', testRedisUrl()];
  args.push('--prefix', testPrefix(), '--host-rate', '0', '--no-progress', '--retries', '1', ...extra);
  return { seeds, run: runCli(args, { env: { METACRAWL_BACKOFF_MS: '50' } }) };
}

describe('the SSRF guard, end to end', () => {
  it('refuses non-public addresses by default, an unlisted redirect hop and robots.txt hop, and hides credentials', async () => {
    const t = target.port;
    const blocked = [
      `${target.origin}/a`,
      `http://localhost:${loopback.port}/by-name`, // resolves to 127.0.0.1: judged after DNS
      `http://[::ffff:127.0.0.71]:${t}/mapped`, // IPv4-mapped IPv6
      `http://[::1]:${t}/v6-loopback`,
      `http://0.0.0.0:${t}/unspecified`,
      `http://2130706433:${loopback.port}/decimal`, // 127.0.0.1 spelled as one number
      'http://169.254.169.254/latest/meta-data/', // cloud metadata (link-local)
      'http://100.64.0.1/cgnat',
      'http://224.0.0.1/multicast',
      'http://10.0.0.1/private',
    ];
    const schemes = [
      'file:///etc/passwd',
      'gopher://127.0.0.71/x',
      'data:text/html,hi',
      'ftp://127.0.0.71/x',
    ];
    const a = allowed.origin;
    const creds = `http://user:secret@127.0.0.72:${allowed.port}`;
    const listed = [
      `${a}/ok`,
      `${a}/to-forbidden`,
      `${robotsHop.origin}/page`,
      `${creds}/ok`,
      `${creds}/fail`,
      `${creds}/redir`,
      `http://user:secret@127.0.0.73:${forbidden.port}/nope`,
    ];
    const none = crawl('no-private', [...blocked, ...schemes], ['--log-level', 'warn']);
    const some = crawl('some-private', listed, [
      '--allow-private',
      '127.0.0.72,127.0.0.75',
      '--log-level',
      'debug',
    ]);
    const [r1, r2] = await Promise.all([none.run, some.run]);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r2.code, r2.stderr).toBe(0);

    // Without --allow-private: a row per URL, BLOCKED_PRIVATE_ADDRESS, and not one request reached a server.
    const rows1 = pageRows(`${dir}/no-private.db`, 'no-private');
    expect(rows1).toHaveLength(blocked.length);
    for (const r of rows1) {
      expect(r.error, `${r.url}: ${r.error_detail}`).toBe('BLOCKED_PRIVATE_ADDRESS');
      expect(r.error_detail).toContain('non-public address refused');
      expect(r.attempts).toBe(1);
    }
    expect(loopback.log).toHaveLength(0);
    expect(target.log).toHaveLength(0);
    // Non-http(s) schemes never become jobs.
    const first = blocked.length + 1;
    for (const [i, s] of ['file:', 'gopher:', 'data:', 'ftp:'].entries()) {
      expect(r1.stderr).toContain(`${none.seeds}:${first + i}: unsupported scheme "${s}"`);
    }

    // --allow-private 127.0.0.72,127.0.0.75: those two only; a redirect to 127.0.0.73 is refused on the hop.
    const rows2 = byUrl(pageRows(`${dir}/some-private.db`, 'some-private'));
    expect(rows2.size).toBe(listed.length);
    expect(rows2.get(`${a}/ok`)).toMatchObject({ error: null, status: 200 });
    expect(rows2.get(`${a}/to-forbidden`)).toMatchObject({ error: 'BLOCKED_PRIVATE_ADDRESS' });
    // robots.txt is fetched through the same guard: its redirect to 127.0.0.73 is refused too.
    expect(rows2.get(`${robotsHop.origin}/page`)).toMatchObject({ error: 'BLOCKED_PRIVATE_ADDRESS' });
    expect(robotsHop.log.map((l) => l.path)).toEqual(['/robots.txt']);
    expect(forbidden.log).toHaveLength(0);

    // Credentials: fetched without them, and never in a log line, an error message, a final URL or a hop.
    expect(rows2.get(`${creds}/ok`), JSON.stringify(rows2.get(`${creds}/ok`))).toMatchObject({
      error: null,
      final_url: `${a}/ok`,
    });
    expect(rows2.get(`${creds}/fail`)).toMatchObject({
      error: 'HTTP_5XX',
      error_detail: `GET ${a}/fail → 500 after 2 attempts`,
    });
    expect(rows2.get(`${creds}/redir`)).toMatchObject({ error: null, final_url: `${a}/ok2` });
    expect(rows2.get(`http://user:secret@127.0.0.73:${forbidden.port}/nope`)?.error).toBe(
      'BLOCKED_PRIVATE_ADDRESS',
    );
    for (const r of rows2.values()) {
      expect(`${r.error_detail} ${r.final_url}`).not.toContain('secret');
    }
    expect(allowed.log.every((l) => l.headers.authorization === undefined)).toBe(true);
    expect(`${r2.stdout}${r2.stderr}`).not.toContain('secret');
    expect(r2.stderr).toContain('"level":20'); // debug lines were written, and none held the password
  }, 60_000);
});
