import { describe, expect, it } from 'vitest';
import {
  dropPartialLastLine,
  isPathAllowed,
  normalizePath,
  parseRobots,
  productToken,
  selectPolicy,
} from '../../src/robots/rules.js';

/** Is `path` allowed for `ua` by the robots.txt `text`? */
function allowed(text: string, ua: string, path: string): boolean {
  return isPathAllowed(selectPolicy(parseRobots(text), ua), path);
}

describe('productToken', () => {
  it.each([
    ['Foo-Bot/2.1 (+https://example.com/bot)', 'Foo-Bot'],
    ['metacrawl/0.1.0 (+https://github.com/metacrawl/metacrawl)', 'metacrawl'],
    ['my_bot', 'my_bot'],
    ['FooBot (+https://x)', 'FooBot'],
    ['  Spaced/1', 'Spaced'],
    ['Bot2000/1', 'Bot'],
    ['/nothing', ''],
  ])('%j → %j', (ua, token) => {
    expect(productToken(ua)).toBe(token);
  });
});

describe('robots.txt matching (RFC 9309)', () => {
  const groups = [
    'User-agent: Foo-Bot',
    'Disallow: /foo-only',
    '',
    'User-agent: *',
    'Disallow: /star-only',
  ].join('\n');

  it('selects the group of our product token, not the whole user agent', () => {
    expect(allowed(groups, 'Foo-Bot/2.1 (+https://example.com/bot)', '/foo-only')).toBe(false);
    expect(allowed(groups, 'Foo-Bot/2.1 (+https://example.com/bot)', '/star-only')).toBe(true);
    expect(allowed(groups, 'Foo-Bot (+https://example.com/bot)', '/foo-only')).toBe(false);
  });

  it('matches the product token of a User-agent line, ignoring what follows it', () => {
    const text = 'User-agent: Foo-Bot/1.0 extra words\nDisallow: /x\n';
    expect(allowed(text, 'Foo-Bot', '/x')).toBe(false);
  });

  it('matches user agents case-insensitively', () => {
    expect(allowed(groups, 'FOO-BOT/3', '/foo-only')).toBe(false);
    expect(allowed('user-AGENT: foo-bot\nDISALLOW: /x', 'Foo-Bot', '/x')).toBe(false);
  });

  it('falls back to the * group only when no group names our token', () => {
    expect(allowed(groups, 'OtherBot/1', '/star-only')).toBe(false);
    expect(allowed(groups, 'OtherBot/1', '/foo-only')).toBe(true);
  });

  it('allows everything when neither our group nor * exists', () => {
    expect(allowed('User-agent: Foo-Bot\nDisallow: /', 'OtherBot', '/anything')).toBe(true);
  });

  it('merges every group that names our token', () => {
    const text =
      'User-agent: a\nDisallow: /one\n\nUser-agent: b\nDisallow: /b\n\nUser-agent: A\nDisallow: /two\n';
    expect(allowed(text, 'a', '/one')).toBe(false);
    expect(allowed(text, 'a', '/two')).toBe(false);
    expect(allowed(text, 'a', '/b')).toBe(true);
  });

  it('lets consecutive User-agent lines share one group', () => {
    const text = 'User-agent: a\nUser-agent: b\nDisallow: /shared\nUser-agent: c\nDisallow: /c\n';
    expect(allowed(text, 'a', '/shared')).toBe(false);
    expect(allowed(text, 'b', '/shared')).toBe(false);
    expect(allowed(text, 'b', '/c')).toBe(true);
  });

  it('lets the longest matching rule win', () => {
    const text = 'User-agent: *\nDisallow: /a\nAllow: /a/b\nDisallow: /a/b/c\n';
    expect(allowed(text, 'x', '/a/x')).toBe(false);
    expect(allowed(text, 'x', '/a/b/x')).toBe(true);
    expect(allowed(text, 'x', '/a/b/c/d')).toBe(false);
    // Order in the file does not matter.
    expect(allowed('User-agent: *\nAllow: /a/b\nDisallow: /a\n', 'x', '/a/b')).toBe(true);
  });

  it('lets allow win a tie between equally long rules', () => {
    expect(allowed('User-agent: *\nDisallow: /page\nAllow: /page\n', 'x', '/page')).toBe(true);
    expect(allowed('User-agent: *\nAllow: /page\nDisallow: /page\n', 'x', '/page')).toBe(true);
    expect(allowed('User-agent: *\nDisallow: /*.php\nAllow: /x.php\n', 'x', '/x.php')).toBe(true);
  });

  it('treats * as any run of characters', () => {
    const text = 'User-agent: *\nDisallow: /*.gif\nDisallow: /private*/data\n';
    expect(allowed(text, 'x', '/img/a.gif')).toBe(false);
    expect(allowed(text, 'x', '/a.gif?size=2')).toBe(false);
    expect(allowed(text, 'x', '/a.png')).toBe(true);
    expect(allowed(text, 'x', '/private-stuff/data')).toBe(false);
    expect(allowed(text, 'x', '/private/data')).toBe(false);
    expect(allowed(text, 'x', '/private/other')).toBe(true);
  });

  it('treats a trailing $ as the end of the path', () => {
    const text = 'User-agent: *\nDisallow: /*.gif$\nDisallow: /exact$\n';
    expect(allowed(text, 'x', '/a.gif')).toBe(false);
    expect(allowed(text, 'x', '/a.gif?x=1')).toBe(true);
    expect(allowed(text, 'x', '/a.gifs')).toBe(true);
    expect(allowed(text, 'x', '/exact')).toBe(false);
    expect(allowed(text, 'x', '/exact/more')).toBe(true);
  });

  it('matches rules against the path with its query', () => {
    const text = 'User-agent: *\nDisallow: /search?q=\nDisallow: /*&sort=\n';
    expect(allowed(text, 'x', '/search?q=cats')).toBe(false);
    expect(allowed(text, 'x', '/search')).toBe(true);
    expect(allowed(text, 'x', '/list?page=2&sort=asc')).toBe(false);
  });

  it('treats percent-encoded unreserved characters as the characters (RFC 9309 §2.2.2)', () => {
    const text = 'User-agent: *\nDisallow: /foo/bar/%62%61%7A\nDisallow: /%7Euser\n';
    expect(allowed(text, 'x', '/foo/bar/baz')).toBe(false);
    expect(allowed(text, 'x', '/foo/bar/%62%61%7a')).toBe(false);
    expect(allowed(text, 'x', '/~user/page')).toBe(false);
    expect(allowed('User-agent: *\nDisallow: /~user\n', 'x', '/%7euser')).toBe(false);
  });

  it('matches UTF-8 characters against their percent-encoding, in either case', () => {
    const text = 'User-agent: *\nDisallow: /foo/bar/ツ\nDisallow: /caf%c3%a9\n';
    expect(allowed(text, 'x', '/foo/bar/%E3%83%84')).toBe(false);
    expect(allowed(text, 'x', '/foo/bar/%e3%83%84')).toBe(false);
    expect(allowed(text, 'x', '/café')).toBe(false);
    expect(allowed(text, 'x', '/foo/bar/baz')).toBe(true);
  });

  it('keeps reserved characters distinct from their encoding', () => {
    const text = 'User-agent: *\nDisallow: /a%2Fb\n';
    expect(allowed(text, 'x', '/a%2fb')).toBe(false);
    expect(allowed(text, 'x', '/a/b')).toBe(true);
  });

  it('reads an empty Disallow as allowing everything', () => {
    expect(allowed('User-agent: *\nDisallow:\n', 'x', '/anything')).toBe(true);
    expect(allowed('User-agent: *\nDisallow: \n', 'x', '/')).toBe(true);
  });

  it('disallows everything with Disallow: /, except /robots.txt itself', () => {
    const text = 'User-agent: *\nDisallow: /\n';
    expect(allowed(text, 'x', '/')).toBe(false);
    expect(allowed(text, 'x', '/any/thing')).toBe(false);
    expect(allowed(text, 'x', '/robots.txt')).toBe(true);
  });

  it('ignores comments, a BOM, CRLF line ends, rules outside a group and unknown lines', () => {
    const text =
      '\uFEFFDisallow: /before-any-group\r\n# comment\r\nUser-agent: * # all\r\nFoo: bar\r\nDisallow: /x # no\r\n';
    expect(allowed(text, 'x', '/x')).toBe(false);
    expect(allowed(text, 'x', '/x%20')).toBe(false);
    expect(allowed(text, 'x', '/before-any-group')).toBe(true);
  });

  it('surfaces Crawl-delay of the selected group and every Sitemap line', () => {
    const text = [
      'Sitemap: https://example.com/s1.xml',
      'User-agent: foo-bot',
      'Crawl-delay: 2.5',
      'Disallow: /x',
      'User-agent: *',
      'Crawl-delay: 10',
      'Sitemap: https://example.com/s2.xml',
    ].join('\n');
    const parsed = parseRobots(text);
    expect(selectPolicy(parsed, 'Foo-Bot/1').crawlDelaySec).toBe(2.5);
    expect(selectPolicy(parsed, 'other').crawlDelaySec).toBe(10);
    expect(selectPolicy(parseRobots('User-agent: *\nCrawl-delay: soon\n'), 'x').crawlDelaySec).toBeNull();
    expect(parsed.sitemaps).toEqual(['https://example.com/s1.xml', 'https://example.com/s2.xml']);
  });

  it('stays linear on hostile wildcard patterns', () => {
    const text = `User-agent: *\nDisallow: /${'*a'.repeat(200)}b\n`;
    const started = Date.now();
    expect(allowed(text, 'x', `/${'a'.repeat(2000)}`)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('drops the half-cut last line of a truncated file', () => {
    expect(dropPartialLastLine('User-agent: *\nAllow: /pub')).toBe('User-agent: *\n');
    expect(dropPartialLastLine('User-agent: *\nDisallow: /x\n')).toBe('User-agent: *\nDisallow: /x\n');
    expect(dropPartialLastLine('no newline at all')).toBe('');
  });

  it('normalizes one canonical form for patterns and paths', () => {
    expect(normalizePath('/%7e%41b%2f%c3%A9 x*$')).toBe('/~Ab%2F%C3%A9%20x*$');
  });
});
