import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { html, startServer, type TestServer } from '../helpers/http.js';
import { runMain } from '../helpers/main.js';

const seedDir = new URL('../fixtures/corpus/seed/', import.meta.url);
const seedHtml = fileURLToPath(new URL('github-issue-46.html', seedDir));
const explorer = JSON.parse(readFileSync(new URL('expected-explorer.json', seedDir), 'utf8'));
const oracle = JSON.parse(readFileSync(new URL('github-issue-46.oracle.json', seedDir), 'utf8'));

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(301, { location: '/page' });
      res.end();
      return;
    }
    html(
      res,
      `<html lang="fr"><head><meta charset="utf-8"><title> Une  page </title><link rel="canonical" href="/canon"><meta property="og:title" content="OG"><meta name="twitter:site" content="@x"></head>
       <body><a href="/a">A</a> <a href="https://example.org/b">B  b</a></body></html>`,
    );
  }, '127.0.0.9');
});
afterAll(async () => {
  await server?.close();
});

// The text report and the refusal run the real process (its stdout encoding and exit code); the other checks run
// the CLI's main() in this process (same command and output, no process start).
describe('metacrawl inspect', () => {
  it('--file --json reproduces the reference keys and shapes of the seed page', async () => {
    const res = await runMain(['inspect', '--file', seedHtml, '--base', explorer.base_url_to_use, '--json']);
    expect(res.code, res.stderr).toBe(0);
    const j = JSON.parse(res.stdout);
    for (const key of [
      'title',
      'lang',
      'charset',
      'canonical',
      'description',
      'meta',
      'og',
      'twitter',
      'jsonld',
      'jsonld_invalid',
      'links',
      'links_count',
      'domain',
    ]) {
      expect(j, key).toHaveProperty(key);
    }
    expect(j.title).toBe(oracle.title);
    expect(j.meta).toEqual(oracle.meta);
    expect(j.links).toEqual(oracle.links);
    expect(j.links_count).toBe(oracle.links_count);
    expect(j.og).toEqual(oracle.og);
    expect(j.twitter).toEqual(oracle.twitter);
    expect(j.domain).toBe('github.com');
  });

  it('prints the page report with the Chinese text intact', async () => {
    const res = await runCli(['inspect', '--file', seedHtml, '--base', explorer.base_url_to_use]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`Title: ${explorer.title}`);
    expect(res.stdout).toContain(`Open Graph Title: ${explorer.og_title}`);
    expect(res.stdout).toContain(`X: ${explorer.twitter_site}`);
    expect(res.stdout).toContain('Domain: github.com');
    expect(res.stdout).toContain(`Viewport: ${explorer.viewport}`);
  });

  it('fetches a URL with the worker fetch rules (redirects followed, --allow-private)', async () => {
    const res = await runMain(['inspect', `${server.origin}/moved`, '--allow-private', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const j = JSON.parse(res.stdout);
    expect(j.title).toBe('Une page');
    expect(j.lang).toBe('fr');
    expect(j.og).toEqual({ 'og:title': 'OG' });
    expect(j.links).toEqual([
      [`${server.origin}/a`, 'A'],
      ['https://example.org/b', 'B b'],
    ]);
    expect(j.domain).toBe('127.0.0.9');
  });

  it('shows the language, charset and canonical URL in the text view', async () => {
    const res = await runMain(['inspect', `${server.origin}/page`, '--allow-private']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`Canonical: ${server.origin}/canon\n`);
    expect(res.stdout).toContain('Language: fr\n');
    expect(res.stdout).toContain('Charset: utf-8\n');
  });

  it('refuses a private address without --allow-private and never sends the request', async () => {
    const before = server.log.length;
    const res = await runCli(['inspect', `${server.origin}/page`]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/127\.0\.0\.9/);
    expect(res.stderr).toContain('non-public address refused (--allow-private allows it)');
    expect(server.log.length).toBe(before);
  });

  it('needs --base with --file', async () => {
    const res = await runMain(['inspect', '--file', seedHtml]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--base');
  });
});
