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

function request(url: string, extra: Record<string, string> = {}): Promise<Res> {
  const t = Date.now();
  return new Promise((resolve, reject) => {
    get(url, { headers: { 'accept-encoding': 'gzip', ...extra } }, (res) => {
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

describe('the benchmark farm for re-crawls (--validators, --change)', () => {
  it('answers 304 to its validators, and after SIGUSR2 changes the planted share of pages', async () => {
    const farm = await startFarm([
      '--hosts',
      '1',
      '--pages',
      '30',
      '--first',
      '245',
      '--pool',
      '4',
      '--validators',
      '--change',
      '10,10',
    ]);
    farms.push(farm);
    const url = (p: number) => `${farm.origins[0]}/issues/${p}`;
    const first = await Promise.all([0, 5, 15].map((p) => request(url(p))));
    const etags = first.map((r) => String(r.headers.etag));
    expect(first.every((r) => r.status === 200 && r.headers['last-modified'])).toBe(true);
    expect((await request(url(5), { 'if-none-match': etags[1] })).status).toBe(304);
    expect(
      (await request(url(5), { 'if-modified-since': String(first[1].headers['last-modified']) })).status,
    ).toBe(304);
    farm.child.kill('SIGUSR2');
    await new Promise((r) => setTimeout(r, 200));
    const title = (r: Res) => /<title>([^<]*)/.exec(gunzipSync(r.body).toString())?.[1] ?? '';
    const meta = await request(url(5), { 'if-none-match': etags[1] }); // page 5: 5 % 100 < 10, a new title
    expect(meta.status).toBe(200);
    expect(title(meta)).toMatch(/^Changed: /);
    const body = await request(url(15), { 'if-none-match': etags[2] }); // page 15: a body-only change
    expect(body.status).toBe(200);
    expect(title(body)).toBe(title(first[2]));
    expect(gunzipSync(body.body).toString()).toContain('<!-- changed 15 -->');
    expect((await request(url(0), { 'if-none-match': etags[0] })).status).toBe(200); // page 0 changed too
    expect((await request(url(25), {})).headers.etag).toBe('"0-25-0"');
  });
});
