import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STRIP_PARAMS,
  hostKey,
  hostnameOf,
  normalizeUrl,
  urlHash,
  urlHashHex,
  urlHashLatin1,
} from '../../src/url/normalize.js';

const ok = (url: string) => ({ ok: true, url });
const bad = (reason: string) => ({ ok: false, reason });

describe('normalizeUrl', () => {
  const table: [string, string, ReturnType<typeof ok> | ReturnType<typeof bad>][] = [
    ['lowercases scheme and host', 'HTTP://WWW.Example.COM/Path', ok('http://www.example.com/Path')],
    ['gives a bare domain https', 'example.com/path?q=1', ok('https://example.com/path?q=1')],
    ['gives a bare domain with a port https', 'example.com:8080/x', ok('https://example.com:8080/x')],
    ['gives a bare localhost with a port https', 'localhost:3000', ok('https://localhost:3000/')],
    ['gives a protocol-relative URL https', '//example.com/a', ok('https://example.com/a')],
    ['turns an IDN host into punycode', 'https://Bücher.example/', ok('https://xn--bcher-kva.example/')],
    ['drops the default http port', 'http://example.com:80/a', ok('http://example.com/a')],
    ['drops the default https port', 'https://example.com:443/a', ok('https://example.com/a')],
    ['keeps a non-default port', 'https://example.com:8443/a', ok('https://example.com:8443/a')],
    ['drops the fragment', 'https://example.com/a#section-2', ok('https://example.com/a')],
    ['turns an empty path into /', 'https://example.com', ok('https://example.com/')],
    ['trims surrounding whitespace', '  \thttps://example.com/a \r\n', ok('https://example.com/a')],
    [
      'uppercases hex in escapes',
      'https://example.com/a%2fb?x=%e2%82%ac',
      ok('https://example.com/a%2Fb?x=%E2%82%AC'),
    ],
    [
      'decodes escaped unreserved characters',
      'https://example.com/%41%7E%2D%5f?q=%61',
      ok('https://example.com/A~-_?q=a'),
    ],
    [
      'keeps reserved escapes encoded',
      'https://example.com/a%3Fb%23c%26d?k=v%3Dw%26z',
      ok('https://example.com/a%3Fb%23c%26d?k=v%3Dw%26z'),
    ],
    ['encodes spaces the WHATWG way', 'https://example.com/a b', ok('https://example.com/a%20b')],
    ['resolves dot segments', 'https://example.com/a/./b/../c', ok('https://example.com/a/c')],
    ['keeps credentials', 'https://user:pa%20ss@example.com/', ok('https://user:pa%20ss@example.com/')],
    ['keeps a stray percent sign', 'https://example.com/100%', ok('https://example.com/100%')],
    [
      'strips utm_* and click ids',
      'https://example.com/?utm_source=x&a=1&UTM_Medium=y&fbclid=z&gclid=w',
      ok('https://example.com/?a=1'),
    ],
    [
      'drops the ? when every param is stripped',
      'https://example.com/p?utm_campaign=x',
      ok('https://example.com/p'),
    ],
    ['drops an empty query', 'https://example.com/p?', ok('https://example.com/p')],
    ['keeps param order by default', 'https://example.com/?b=2&a=1', ok('https://example.com/?b=2&a=1')],
    ['keeps + and = in values', 'https://example.com/?q=a+b&r=x=y', ok('https://example.com/?q=a+b&r=x=y')],
    ['refuses ftp', 'ftp://example.com/file', bad('unsupported scheme "ftp:"')],
    ['refuses javascript', 'javascript:alert(1)', bad('unsupported scheme "javascript:"')],
    ['refuses mailto', 'mailto:someone@example.com', bad('unsupported scheme "mailto:"')],
    ['refuses file', 'file:///etc/passwd', bad('unsupported scheme "file:"')],
    ['refuses data, case-insensitively', 'DATA:text/html,hi', bad('unsupported scheme "data:"')],
    ['refuses an empty string', '   ', bad('empty URL')],
    ['refuses a bare word', 'hello', bad('not a URL')],
    ['refuses a path without a base', '/just/a/path', bad('relative URL without a base')],
    ['refuses a host with spaces', 'https://exa mple.com/', bad('invalid URL')],
    ['refuses a missing host', 'http://', bad('invalid URL')],
  ];
  it.each(table)('%s', (_name, input, expected) => {
    expect(normalizeUrl(input)).toEqual(expected);
  });

  it('makes equivalent spellings compare equal', () => {
    const spellings = [
      'https://EXAMPLE.com:443/%7euser/a%2fb?x=1#top',
      'example.com/~user/a%2Fb?x=1',
      'https://example.com/%7Euser/a%2fb?x=1&utm_source=news',
    ];
    const urls = spellings.map((s) => normalizeUrl(s));
    expect(urls.every((u) => u.ok)).toBe(true);
    expect(new Set(urls.map((u) => (u.ok ? u.url : ''))).size).toBe(1);
  });

  it('strips only the params it is given (glob patterns)', () => {
    expect(normalizeUrl('https://e.com/?ref=1&ref_src=2&keep=3', { stripParams: ['ref*'] })).toEqual(
      ok('https://e.com/?keep=3'),
    );
    expect(normalizeUrl('https://e.com/?utm_source=1', { stripParams: [] })).toEqual(
      ok('https://e.com/?utm_source=1'),
    );
    expect(DEFAULT_STRIP_PARAMS).toContain('utm_*');
  });

  it('treats pattern characters other than * literally', () => {
    expect(normalizeUrl('https://e.com/?a.b=1&axb=2', { stripParams: ['a.b'] })).toEqual(
      ok('https://e.com/?axb=2'),
    );
  });

  it('sorts the query by key, stably, when asked', () => {
    expect(normalizeUrl('https://e.com/?b=2&a=1&c=3&a=0', { sortQuery: true })).toEqual(
      ok('https://e.com/?a=1&a=0&b=2&c=3'),
    );
  });

  it('refuses URLs longer than the limit, counted after normalization', () => {
    const long = `https://example.com/${'a'.repeat(8192)}`;
    expect(normalizeUrl(long)).toEqual(bad('URL longer than 8192 characters'));
    const fits = `https://example.com/${'a'.repeat(8192 - 20)}`;
    expect(fits.length).toBe(8192);
    expect(normalizeUrl(fits)).toEqual(ok(fits));
    expect(normalizeUrl('https://example.com/abcdef', { maxUrlLength: 20 })).toEqual(
      bad('URL longer than 20 characters'),
    );
    // Stripped tracking junk does not count against the limit.
    expect(normalizeUrl(`https://example.com/?utm_x=${'j'.repeat(9000)}`)).toEqual(
      ok('https://example.com/'),
    );
  });

  it('never puts the URL (or its credentials) in the reason', () => {
    const r = normalizeUrl('ftp://user:secret@example.com/');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).not.toContain('secret');
  });

  it('resolves relative URLs against a base', () => {
    expect(normalizeUrl('../b?utm_source=x#f', {}, 'https://example.com/a/c/d')).toEqual(
      ok('https://example.com/a/b'),
    );
    expect(normalizeUrl('//cdn.example.com/x', {}, 'http://example.com/')).toEqual(
      ok('http://cdn.example.com/x'),
    );
    expect(normalizeUrl('javascript:void(0)', {}, 'https://example.com/')).toEqual(
      bad('unsupported scheme "javascript:"'),
    );
    expect(normalizeUrl('mailto:a@b.c', {}, 'https://example.com/')).toEqual(
      bad('unsupported scheme "mailto:"'),
    );
    expect(normalizeUrl('/x', {}, 'not a url')).toEqual(bad('invalid base URL'));
  });
});

describe('hostKey', () => {
  it.each([
    ['https://a.example.co.uk/x', 'host', 'a.example.co.uk'],
    ['https://a.example.co.uk/x', 'domain', 'example.co.uk'],
    ['https://b.example.co.uk/', 'domain', 'example.co.uk'],
    ['https://www.example.com/', 'domain', 'example.com'],
    ['https://deep.sub.example.com/', 'domain', 'example.com'],
    ['http://127.0.0.1:8080/', 'domain', '127.0.0.1'],
    ['http://[::1]:8080/', 'domain', '[::1]'],
    ['http://localhost:3000/', 'domain', 'localhost'],
    ['https://xn--bcher-kva.example/', 'domain', 'xn--bcher-kva.example'],
  ] as const)('%s by %s → %s', (url, mode, expected) => {
    expect(hostKey(url, mode)).toBe(expected);
  });

  it('groups sibling subdomains by registrable domain but not by host', () => {
    const a = 'https://a.example.co.uk/';
    const b = 'https://b.example.co.uk/';
    expect(hostKey(a, 'domain')).toBe(hostKey(b, 'domain'));
    expect(hostKey(a, 'host')).not.toBe(hostKey(b, 'host'));
    expect(hostKey('https://example.co.uk/', 'domain')).not.toBe(hostKey('https://other.co.uk/', 'domain'));
  });
});

describe('urlHash', () => {
  it('is 8 bytes, deterministic, and differs between URLs', () => {
    const h = urlHash('https://example.com/');
    expect(h).toBeInstanceOf(Buffer);
    expect(h.length).toBe(8);
    expect(urlHash('https://example.com/').equals(h)).toBe(true);
    expect(urlHash('https://example.com/a').equals(h)).toBe(false);
    // First 8 bytes of SHA-1, so other tools can compute the same key.
    expect(h.toString('hex')).toBe('b559c7edd3fb6737');
    expect(urlHashHex('https://example.com/')).toBe('b559c7edd3fb6737');
    // The same bytes as latin1 characters (the submitter's key, no Buffer per URL), non-ASCII URLs included.
    expect(Buffer.from(urlHashLatin1('https://example.com/'), 'latin1').equals(h)).toBe(true);
    const u = 'https://例え.example/päth?q=ü';
    expect(Buffer.from(urlHashLatin1(u), 'latin1').equals(urlHash(u))).toBe(true);
  });
});

describe('hostnameOf', () => {
  it.each([
    'https://a.example/',
    'http://user:p%40ss@b.example:8080/x?y#z',
    'https://EXAMPLE.com/',
    'https://bücher.example/',
    'http://[::1]:3000/',
    'http://127.0.0.1:80/a',
    'https://xn--bcher-kva.example/p',
    'http://a.example',
    'ftp://a.example/',
    'https://a-b.c.example./',
  ])('reads %s as the URL parser does', (url) => {
    expect(hostnameOf(url)).toBe(new URL(url).hostname);
  });
});
