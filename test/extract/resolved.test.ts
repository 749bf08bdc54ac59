import { describe, expect, it } from 'vitest';
import { extract } from '../../src/extract/index.js';

const PAGE = 'https://news.example/story/1?x=1';

describe('resolved fields: ordered fallbacks', () => {
  it('bestTitle: og:title, then twitter:title, then JSON-LD headline, then <title>, then h1', () => {
    const t = (html: string) => extract(html, PAGE).resolved.bestTitle;
    const ld = '<script type="application/ld+json">{"@type":"NewsArticle","headline":"LD"}</script>';
    expect(
      t(
        `<meta property="og:title" content="OG"><meta name="twitter:title" content="TW">${ld}<title>T</title>`,
      ),
    ).toBe('OG');
    expect(t(`<meta name="twitter:title" content="TW">${ld}<title>T</title>`)).toBe('TW');
    expect(t(`${ld}<title>T</title>`)).toBe('LD');
    expect(t('<title> T </title><h1>H</h1>')).toBe('T');
    expect(t('<h1>\n H <b>one</b></h1>')).toBe('H one');
    expect(t('<p>nothing</p>')).toBeNull();
  });

  it('bestUrl prefers canonical, then og:url, and falls back to the page URL', () => {
    expect(
      extract('<link rel="canonical" href="/c"><meta property="og:url" content="https://o.example/">', PAGE)
        .resolved.bestUrl,
    ).toBe('https://news.example/c');
    expect(extract('<meta property="og:url" content="https://o.example/">', PAGE).resolved.bestUrl).toBe(
      'https://o.example/',
    );
    expect(extract('', PAGE).resolved.bestUrl).toBe(PAGE);
  });

  it('favicon: the largest declared icon, else /favicon.ico on the page origin', () => {
    const html =
      '<link rel="icon" href="/16.png" sizes="16x16"><link rel="apple-touch-icon" href="/apple.png"><link rel="icon" href="/64.png" sizes="32x32 64x64">';
    expect(extract(html, PAGE).resolved.favicon).toBe('https://news.example/apple.png');
    expect(extract('<link rel="shortcut icon" href="/f.ico">', PAGE).resolved.favicon).toBe(
      'https://news.example/f.ico',
    );
    expect(extract('', PAGE).resolved.favicon).toBe('https://news.example/favicon.ico');
  });

  it('feeds and hreflang alternates are absolute and unique', () => {
    const html =
      '<link rel="alternate" type="application/rss+xml" href="/rss"><link rel="alternate" type="application/atom+xml" href="/atom">' +
      '<link rel="alternate" type="application/rss+xml" href="/rss"><link rel="alternate" hreflang="de" href="/de/"><link rel="alternate" hreflang="x-default" href="/">';
    const r = extract(html, PAGE).resolved;
    expect(r.feeds).toEqual(['https://news.example/rss', 'https://news.example/atom']);
    expect(r.hreflang).toEqual([
      { lang: 'de', url: 'https://news.example/de/' },
      { lang: 'x-default', url: 'https://news.example/' },
    ]);
  });

  it('robots merges meta robots with the X-Robots-Tag header', () => {
    const m = extract('<meta name="robots" content="NOINDEX, follow">', PAGE, {
      headers: { 'X-Robots-Tag': 'noarchive, noindex' },
    });
    expect(m.resolved.robots).toBe('noindex, follow, noarchive');
    expect(extract('', PAGE).resolved.robots).toBeNull();
  });

  it('dates, author, site name, type and keywords come from meta, then JSON-LD', () => {
    const html =
      '<meta property="article:published_time" content="2024-01-02T03:04:05Z"><meta property="og:site_name" content="News">' +
      '<script type="application/ld+json">{"@type":"NewsArticle","dateModified":"2024-02-01","author":[{"@type":"Person","name":"Bo"}],"keywords":["a","b"]}</script>';
    const r = extract(html, PAGE).resolved;
    expect(r.publishedAt).toBe('2024-01-02T03:04:05Z');
    expect(r.modifiedAt).toBe('2024-02-01');
    expect(r.author).toBe('Bo');
    expect(r.siteName).toBe('News');
    expect(r.pageType).toBe('NewsArticle');
    expect(r.keywords).toBe('a, b');
    expect(r.bestImage).toBeNull();
  });
});
