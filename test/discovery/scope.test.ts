import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import type { CrawlJobData, LinkInfo, PageMetadata } from '../../src/types.js';
import { inScope } from '../../src/url/scope.js';
import { discoverLinks, relNofollow, robotsNofollow } from '../../src/worker/discover.js';

describe('inScope: domain grouping by the public suffix list', () => {
  it.each([
    ['https://www.example.com/', 'https://shop.example.com/a', 'domain', true],
    ['https://www.example.com/', 'https://example.com/', 'domain', true],
    ['https://www.example.com/', 'https://shop.example.com/a', 'host', false],
    ['https://a.example.co.uk/', 'https://b.example.co.uk/', 'domain', true],
    ['https://a.example.co.uk/', 'https://example2.co.uk/', 'domain', false],
    // Private suffixes are registrable boundaries: two github.io users are two sites.
    ['https://alice.github.io/', 'https://bob.github.io/', 'domain', false],
    ['https://alice.github.io/', 'https://alice.github.io/repo/', 'domain', true],
    ['https://bücher.example/', 'https://xn--bcher-kva.example/x', 'host', true],
    // Ports and schemes do not split a host.
    ['http://example.com/', 'https://example.com:8443/', 'host', true],
    // An IP is its own "domain".
    ['http://127.0.0.71:8000/', 'http://127.0.0.72:8000/', 'domain', false],
    ['http://127.0.0.71:8000/', 'http://127.0.0.71:9000/', 'domain', true],
    ['http://[::1]:8000/', 'http://[::1]:9000/', 'domain', true],
    ['http://localhost:8000/', 'http://127.0.0.1:8000/', 'domain', false],
    ['https://www.example.com/', 'https://elsewhere.org/', 'any', true],
  ] as const)('seed %s, link %s, scope %s → %s', (seed, url, mode, expected) => {
    expect(inScope(new URL(url).href, new URL(seed).href, mode, [], [])).toBe(expected);
  });
});

describe('nofollow', () => {
  it.each([
    ['nofollow', true],
    ['external nofollow noopener', true],
    ['NoFollow', true],
    ['ugc', false],
    ['sponsored noopener', false],
    [null, false],
  ])('rel=%j → %s', (rel, expected) => {
    expect(relNofollow(rel)).toBe(expected);
  });

  it.each([
    ['noindex, nofollow', true],
    ['none', true],
    ['noindex', false],
    ['index, follow', false],
    ['googlebot: nofollow', false],
    ['metacrawl: nofollow', true],
    ['MetaCrawl: none', true],
    ['max-snippet: 20, nofollow', true],
    [null, false],
  ])('robots %j → %s', (robots, expected) => {
    expect(robotsNofollow(robots, 'metacrawl/0.1.0 (+https://github.com/metacrawl/metacrawl)')).toBe(
      expected,
    );
  });
});

describe('discoverLinks', () => {
  const job: CrawlJobData = {
    crawl: 'c',
    url: 'https://www.example.com/start',
    depth: 1,
    from: 'https://www.example.com/',
    seed: 'https://www.example.com/',
    queuedAt: 0,
  };
  const page = (links: LinkInfo[], robots: string | null = null) =>
    ({ links, resolved: { robots } }) as unknown as PageMetadata;
  const l = (url: string, rel: string | null = null): LinkInfo => ({ url, text: '', rel, tag: 'a' });

  it('normalizes, dedupes and scopes links against the chain seed, one level deeper', () => {
    const s = { ...DEFAULTS.crawl, depth: 2, scope: 'domain' as const };
    const out = discoverLinks(
      job,
      s,
      page([
        l('https://shop.example.com/a?utm_source=x#frag'),
        l('https://shop.example.com/a'),
        l('https://other.org/'),
        l('https://www.example.com/b', 'nofollow'),
        l('HTTPS://WWW.EXAMPLE.COM:443/c'),
      ]),
    );
    expect(out).toEqual([
      { url: 'https://shop.example.com/a', depth: 2, from: job.url, seed: job.seed },
      { url: 'https://www.example.com/c', depth: 2, from: job.url, seed: job.seed },
    ]);
  });

  it('finds nothing at the depth limit or on a nofollow page, unless --follow-nofollow', () => {
    const links = [l('https://www.example.com/x')];
    expect(discoverLinks(job, { ...DEFAULTS.crawl, depth: 1 }, page(links))).toEqual([]);
    expect(discoverLinks(job, { ...DEFAULTS.crawl, depth: 3 }, page(links, 'noindex, nofollow'))).toEqual([]);
    expect(
      discoverLinks(job, { ...DEFAULTS.crawl, depth: 3, followNofollow: true }, page(links, 'nofollow')),
    ).toHaveLength(1);
  });
});
