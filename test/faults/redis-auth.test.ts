/**
 * Redis with a password and with TLS (`rediss://`, a self-signed certificate trusted through
 * METACRAWL_REDIS_TLS_CA): crawl and status work, and the password appears in no log line and no output.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/redis.js';
import { html, startServer, type TestServer } from '../helpers/http.js';
import { cleanup, pageRows, runCli, seedFile, simplePage, tempDir, waitFor } from './helpers.js';

const PASSWORD = 'Zq9-hunter2-pw';
let dir: string;
let redis: ChildProcess;
let plainPort: number;
let tlsPort: number;
let cert: string;
let server: TestServer;

beforeAll(async () => {
  dir = tempDir('redis-auth');
  cert = `${dir}/cert.pem`;
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${dir}/key.pem`,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  plainPort = await freePort();
  tlsPort = await freePort();
  // One server, two doors: plain on plainPort, TLS on tlsPort; both want the password.
  redis = spawn(
    'redis-server',
    [
      ...['--port', String(plainPort), '--tls-port', String(tlsPort), '--bind', '127.0.0.1'],
      ...['--tls-cert-file', cert, '--tls-key-file', `${dir}/key.pem`, '--tls-ca-cert-file', cert],
      ...['--tls-auth-clients', 'no', '--requirepass', PASSWORD, '--save', '', '--appendonly', 'no'],
      ...['--dir', dir, '--logfile', ''],
    ],
    { stdio: 'ignore' },
  );
  await waitFor(
    'redis-server',
    async () => {
      const r = new Redis(plainPort, '127.0.0.1', {
        password: PASSWORD,
        lazyConnect: true,
        retryStrategy: () => null,
      });
      r.on('error', () => {});
      const ok = await r.connect().then(
        () => r.ping(),
        () => null,
      );
      r.disconnect();
      return ok === 'PONG';
    },
    15_000,
    50,
  );
  server = await startServer((req, res) => {
    if (req.url === '/robots.txt') return void res.writeHead(404).end();
    html(res, simplePage(`page ${req.url}`));
  }, '127.0.0.81');
});
afterAll(async () => {
  if (redis && redis.exitCode === null) {
    const exited = new Promise((r) => redis.once('exit', r));
    redis.kill('SIGTERM');
    await exited;
  }
  await server?.close();
  cleanup();
});

describe('Redis with a password and TLS', () => {
  it('crawls over rediss:// with a password, reports status, and never shows the password', async () => {
    const tls = `rediss://:${PASSWORD}@127.0.0.1:${tlsPort}`;
    const plain = `redis://:${PASSWORD}@127.0.0.1:${plainPort}`;
    const urls = Array.from({ length: 5 }, (_, i) => `${server.origin}/p/${i}`);
    const withCa = { env: { METACRAWL_REDIS_TLS_CA: cert } };
    const [crawl, noCa, wrong] = await Promise.all([
      runCli(
        [
          'crawl',
          seedFile(dir, 'seeds.txt', urls),
          '--crawl',
          'auth',
          '--db',
          `${dir}/auth.db`,
          '--redis',
          tls,
        ].concat(['--allow-private', '--host-rate', '0', '--no-progress', '--log-level', 'debug']),
        withCa,
      ),
      runCli(['status', '--redis', tls]),
      runCli(['status', '--redis', `redis://:wrong-${PASSWORD}@127.0.0.1:${plainPort}`]),
    ]);
    expect(crawl.code, crawl.stderr.slice(-1500)).toBe(0);
    expect(pageRows(`${dir}/auth.db`, 'auth')).toHaveLength(5);

    // Without the CA the self-signed certificate is rejected: one line, exit 1.
    expect(noCa.code).toBe(1);
    expect(noCa.stderr.trim().split('\n')).toHaveLength(1);
    expect(noCa.stderr).toMatch(
      /cannot reach Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+\/?: .*certificate/i,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/?: WRONGPASS/);

    const status = await runCli(['status', '--redis', plain, '--crawl', 'auth', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s.redis).toMatch(/^redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/);
    expect(s.crawls[0]).toMatchObject({ submitted: 5, stored: 5 });
    const text = await runCli(['status', '--redis', tls], withCa);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^redis rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+/);

    for (const r of [crawl, noCa, wrong, status, text]) {
      expect(`${r.stdout}${r.stderr}`).not.toContain(PASSWORD);
    }
  }, 60_000);
});
