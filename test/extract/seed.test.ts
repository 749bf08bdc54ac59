/**
 * The seed page (GitHub issue #46, Chinese text) reproduces the reference URL explorer's listing (our page
 * report) and the reference extraction exactly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extract } from '../../src/extract/index.js';
import { renderPageReport, toInspectJson, toPageReport } from '../../src/extract/page-report.js';

const seed = new URL('../fixtures/corpus/seed/', import.meta.url);
const explorer = JSON.parse(readFileSync(new URL('expected-explorer.json', seed), 'utf8'));
const oracle = JSON.parse(readFileSync(new URL('github-issue-46.oracle.json', seed), 'utf8'));
const html = readFileSync(new URL('github-issue-46.html', seed), 'utf8');
const meta = extract(html, explorer.base_url_to_use);
const finalUrl: string = explorer.url;

describe('seed page: github-issue-46', () => {
  const x = toPageReport(meta, finalUrl);

  it.each([
    'title',
    'og_title',
    'twitter_title',
    'description',
    'og_description',
    'twitter_description',
    'og_url',
    'twitter_site',
    'domain',
    'viewport',
  ])('explorer field %s', (key) => {
    expect(x[key as keyof typeof x]).toBe(explorer[key]);
  });

  it('reproduces the JSON-LD block', () => {
    expect(x.jsonld).toEqual(explorer.jsonld);
  });

  it('reproduces every meta pair in order (Chinese text intact)', () => {
    expect(x.meta).toEqual(explorer.meta);
    expect(x.meta).toHaveLength(46);
  });

  it('reproduces every link pair in order', () => {
    // The listing displayed raw hrefs and uncollapsed text; `links_whatwg` is the same list with the hrefs
    // as new URL() serialises them, and our text is collapsed+trimmed by contract ('Sign in ' -> 'Sign in').
    const expected = (explorer.links_whatwg as [string, string][]).map(([text, url]) => [
      text.replace(/[\t\n\f\r ]+/g, ' ').replace(/^ | $/g, ''),
      url,
    ]);
    expect(x.links).toEqual(expected);
    expect(x.links).toHaveLength(116);
  });

  it('matches the reference extraction of the page', () => {
    const j = toInspectJson(meta, finalUrl);
    for (const key of [
      'title',
      'lang',
      'charset',
      'canonical',
      'description',
      'meta',
      'og',
      'twitter',
    ] as const) {
      expect(j[key], key).toEqual(oracle[key]);
    }
    expect(j.jsonld).toEqual(oracle.jsonld);
    expect(j.jsonld_invalid).toBe(oracle.jsonld_invalid);
    expect(j.links).toEqual(oracle.links);
    expect(j.links_count).toBe(oracle.links_count);
    expect(j.domain).toBe('github.com');
    expect(j.resolved.best_title).toBe('一文浅谈深度学习泛化能力 · Issue #46 · aialgorithm/Blog');
  });

  it('renders the human view with every section', () => {
    const text = renderPageReport(meta, finalUrl);
    expect(text).toContain('Title: 一文浅谈深度学习泛化能力 · Issue #46 · aialgorithm/Blog · GitHub\n');
    expect(text).toContain('Open Graph Title: 一文浅谈深度学习泛化能力 · Issue #46 · aialgorithm/Blog\n');
    expect(text).toContain('X: @github\n');
    expect(text).toContain('Domain: github.com\n');
    expect(text).toContain('"@type": "DiscussionForumPosting"');
    expect(text).toContain('  og:site_name → GitHub\n');
    expect(text).toContain('  相关代码及资料 → https://github.com/aialgorithm/Blog\n');
    expect(text).toContain('Viewport: width=device-width\n');
    expect(text).toContain('  Site name: GitHub\n');
  });

  it('neutralises control characters in the text view', () => {
    const evil = extract('<title>a\u001b[31mred</title><a href="/x">\u202eevil</a>', 'https://e.example/');
    const text = renderPageReport(evil, 'https://e.example/');
    expect(text).not.toMatch(/[\u001b\u202e]/);
    expect(text).toContain('Title: a\uFFFD[31mred');
  });
});
