import { type ChildProcess, spawn } from 'node:child_process';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract } from '../../src/extract/index.js';

const FARM = fileURLToPath(new URL('../../bench/farm.js', import.meta.url));

interface Farm {
  child: ChildProcess;
  origins: string[];
  meanBytes: number;
}

/** Starts bench/farm.js as the benchmark does (its own process), on addresses no other test uses. */
function startFarm(args: string[]): Promise<Farm> {
  const child = spawn(process.execPath, [FARM, '--net', '127.0.1', ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, ...JSON.parse(out.slice(0, nl)) });
    });
    child.once('exit', (code) => reject(new Error(`farm exited with ${code}`)));
  });
}

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  ms: number;
}

function request(url: string): Promise<Res> {
  const t = Date.now();
  return new Promise((resolve, reject) => {
    get(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          ms: Date.now() - t,
        }),
      );
    }).on('error', reject);
  });
}

const farms: Farm[] = [];
afterAll(() => {
  for (const f of farms) f.child.stdin?.end();
});

describe('the benchmark farm', () => {
  let farm: Farm;
  beforeAll(async () => {
    farm = await startFarm(['--hosts', '2', '--pages', '3', '--first', '241', '--pool', '4']);
    farms.push(farm);
  });

  it('serves gzipped GitHub-issue-like pages of realistic size and structure', async () => {
    expect(farm.origins).toHaveLength(2);
    expect(new URL(farm.origins[1]).hostname).toBe('127.0.1.242');
    for (const path of ['/issues/0', '/issues/1', '/issues/2']) {
      const res = await request(`${farm.origins[0]}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      const html = gunzipSync(res.body).toString('utf8');
      expect(html.length).toBeGreaterThan(90_000);
      expect(html.length).toBeLessThan(125_000);
      expect(res.body.length).toBeLessThan(html.length / 4);
      const meta = extract(html, `${farm.origins[0]}${path}`);
      expect(meta.linksCount).toBeGreaterThanOrEqual(145);
      expect(meta.linksCount).toBeLessThanOrEqual(165);
      expect(meta.meta.length).toBeGreaterThanOrEqual(75);
      expect(meta.meta.length).toBeLessThanOrEqual(85);
      expect(meta.jsonld.length).toBeGreaterThanOrEqual(1);
      expect(meta.jsonld.length).toBeLessThanOrEqual(2);
      expect(meta.title).toMatch(/ · Issue #\d+ · .+ · GitHub$/);
      expect(meta.og['og:title']).toBe(meta.title);
      expect(meta.twitter['twitter:card']).toBe('summary_large_image');
    }
  });

  it('is deterministic, gives distinct pages per URL, and 404s robots.txt and unknown paths', async () => {
    const a = await request(`${farm.origins[0]}/issues/0`);
    const again = await request(`${farm.origins[0]}/issues/0`);
    const b = await request(`${farm.origins[0]}/issues/1`);
    expect(again.body.equals(a.body)).toBe(true);
    expect(b.body.equals(a.body)).toBe(false);
    expect((await request(`${farm.origins[1]}/robots.txt`)).status).toBe(404);
    expect((await request(`${farm.origins[1]}/issues/3`)).status).toBe(404);
  });

  it('answers after the configured latency when asked to', async () => {
    const slow = await startFarm([
      '--hosts',
      '1',
      '--pages',
      '1',
      '--first',
      '245',
      '--pool',
      '2',
      '--small',
      '--latency',
      '300',
    ]);
    farms.push(slow);
    const res = await request(`${slow.origins[0]}/issues/0`);
    expect(res.status).toBe(200);
    expect(res.ms).toBeGreaterThanOrEqual(290);
    expect(gunzipSync(res.body).length).toBeLessThan(10_000);
  });
});
