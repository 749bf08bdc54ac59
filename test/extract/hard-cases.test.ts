import { describe, expect, it } from 'vitest';
import { extract } from '../../src/extract/index.js';

const PAGE = 'https://site.example/dir/page.html';

describe('extract: hard cases', () => {
  it('resolves links against a relative <base href> (itself resolved against the page URL)', () => {
    const m = extract('<base href="../assets/"><a href="x.html">X</a><a href="/root">R</a>', PAGE);
    expect(m.baseUrl).toBe('https://site.example/assets/');
    expect(m.links.map((l) => l.url)).toEqual([
      'https://site.example/assets/x.html',
      'https://site.example/root',
    ]);
  });

  it('resolves links against an absolute <base href>, even one that appears after the link', () => {
    const m = extract(
      '<a href="x.html">X</a><base href="https://cdn.example.org/v2/"><base href="/ignored/">',
      PAGE,
    );
    expect(m.baseUrl).toBe('https://cdn.example.org/v2/');
    expect(m.links[0].url).toBe('https://cdn.example.org/v2/x.html');
  });

  it('decodes entities in titles and attributes (legacy rules in attributes, NBSP kept)', () => {
    const m = extract(
      '<title>Tom &amp; Jerry &mdash; &lt;3 &copy 2024&nbsp;!</title>' +
        '<meta name="description" content="Fish &amp; chips &#39;n&#x27; peas">' +
        '<a href="/s?a=1&amp;b=2&copy=3">A &amp; B</a>',
      PAGE,
    );
    expect(m.title).toBe('Tom & Jerry — <3 © 2024\u00a0!');
    expect(m.description).toBe("Fish & chips 'n' peas");
    expect(m.links[0]).toEqual({
      url: 'https://site.example/s?a=1&b=2&copy=3',
      text: 'A & B',
      rel: null,
      tag: 'a',
    });
  });

  it('takes the first HTML <title>: not an SVG <title>, not a later <title>, also one in <body>', () => {
    const html =
      '<html><head><div>injected</div></head><body><svg><title>Icon</title><path/></svg>' +
      '<title> First\n\t title </title><title>Second</title></body></html>';
    expect(extract(html, PAGE).title).toBe('First title');
    expect(extract('<svg><title>Only SVG</title></svg>', PAGE).title).toBeNull();
    expect(extract('<p>no title</p>', PAGE).title).toBeNull();
  });

  it('keeps meta tags in the body, in document order', () => {
    const m = extract(
      '<head><meta charset="UTF-8"><meta name="a" content="1"></head><body><div><meta property="og:title" content="B"><meta itemprop="price" content="3"></div></body>',
      PAGE,
    );
    expect(m.meta).toEqual([
      ['charset', 'UTF-8', null],
      ['name', 'a', '1'],
      ['property', 'og:title', 'B'],
      ['itemprop', 'price', '3'],
    ]);
    expect(m.charset).toBe('utf-8');
    expect(m.og).toEqual({ 'og:title': 'B' });
  });

  it('keys a meta row by the first of name, property, http-equiv, itemprop, charset, and skips metas without one', () => {
    const m = extract(
      '<meta property="og:x" name="twitter:title" content="both"><meta content="orphan"><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">',
      PAGE,
    );
    expect(m.meta).toEqual([
      ['name', 'twitter:title', 'both'],
      ['http-equiv', 'Content-Type', 'text/html; charset=ISO-8859-1'],
    ]);
    expect(m.og).toEqual({ 'og:x': 'both' });
    expect(m.twitter).toEqual({ 'twitter:title': 'both' });
    expect(m.charset).toBe('iso-8859-1');
  });

  it('parses JSON-LD with @graph and arrays and collects every @type', () => {
    const m = extract(
      '<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"S"},{"@type":["Article","NewsArticle"],"author":{"@type":"Person","name":"Ann"}}]}</script>' +
        '<script type="application/ld+json">[{"@type":"BreadcrumbList"},{"@type":"Article"}]</script>',
      PAGE,
    );
    expect(m.jsonld.map((b) => b.valid)).toEqual([true, true]);
    expect(m.jsonld[0].types).toEqual(['WebSite', 'Article', 'NewsArticle', 'Person']);
    expect(m.jsonld[1].types).toEqual(['BreadcrumbList', 'Article']);
    expect(m.resolved.jsonldTypes).toEqual(['WebSite', 'Article', 'NewsArticle', 'Person', 'BreadcrumbList']);
    expect(m.resolved.author).toBe('Ann');
  });

  it('unwraps JSON-LD wrapped in an HTML comment or CDATA, keeping the raw text', () => {
    const m = extract(
      '<script type="application/ld+json"><!-- {"@type":"Event"} --></script>' +
        '<script type="application/ld+json">\n//<![CDATA[\n{"@type":"Place"}\n//]]>\n</script>',
      PAGE,
    );
    expect(m.jsonld.map((b) => [b.valid, b.value])).toEqual([
      [true, { '@type': 'Event' }],
      [true, { '@type': 'Place' }],
    ]);
    expect(m.jsonld[0].raw).toBe('<!-- {"@type":"Event"} -->');
  });

  it('keeps invalid JSON-LD as raw text, counted, without failing the page', () => {
    const m = extract(
      '<title>T</title><script type="application/ld+json">{"@type": "X", // comment\n}</script><script type="APPLICATION/LD+JSON">{"ok":1}</script>',
      PAGE,
    );
    expect(m.title).toBe('T');
    expect(m.jsonld[0]).toEqual({
      raw: '{"@type": "X", // comment\n}',
      valid: false,
      value: null,
      types: [],
    });
    expect(m.jsonld[1].value).toEqual({ ok: 1 });
  });

  it('handles attributes with newlines (CR/CRLF become LF; URLs drop them)', () => {
    const m = extract(
      '<meta name="description" content="line one\r\n   line two\rthree"><a href="/a\nb\r\nc" rel="nofollow\n noopener">x\n\n y</a>',
      PAGE,
    );
    expect(m.description).toBe('line one\n   line two\nthree');
    expect(m.links[0]).toEqual({
      url: 'https://site.example/abc',
      text: 'x y',
      rel: 'nofollow\n noopener',
      tag: 'a',
    });
  });

  it('keeps the first value of a duplicated og key in og, and every occurrence in meta', () => {
    const m = extract(
      '<meta property="og:image" content="/1.png"><meta property="og:image" content="/2.png"><meta property="og:title " content="T">',
      PAGE,
    );
    expect(m.og).toEqual({ 'og:image': '/1.png', 'og:title': 'T' });
    expect(m.meta.filter((r) => r[1] === 'og:image').map((r) => r[2])).toEqual(['/1.png', '/2.png']);
    expect(m.resolved.bestImage).toBe('https://site.example/1.png');
  });

  it('survives 100,000 nested <div>s', () => {
    const html = `<title>Deep</title>${'<div>'.repeat(100_000)}<a href="/in">deep link</a>${'</div>'.repeat(100_000)}`;
    const m = extract(html, PAGE);
    expect(m.title).toBe('Deep');
    expect(m.links).toEqual([{ url: 'https://site.example/in', text: 'deep link', rel: null, tag: 'a' }]);
  });

  it('counts 200,000 links and stores only maxLinks of them, flagged', () => {
    const html = Array.from({ length: 200_000 }, (_, i) => `<a href="/p${i}">${i}</a>`).join('');
    const m = extract(html, PAGE);
    expect(m.linksCount).toBe(200_000);
    expect(m.links.length).toBe(10_000);
    expect(m.linksTruncated).toBe(true);
    expect(m.links[9_999]).toEqual({ url: 'https://site.example/p9999', text: '9999', rel: null, tag: 'a' });
    const few = extract(html.slice(0, 200), PAGE, { maxLinks: 3 });
    expect(few.links.length).toBe(3);
    expect(few.linksTruncated).toBe(true);
  });

  it('treats <noscript> and <iframe> content as raw text, not markup', () => {
    const m = extract(
      '<noscript><a href="/ns">no</a><meta name="ns" content="1"></noscript><iframe><a href="/if">if</a></iframe><a href="/ok">ok</a>',
      PAGE,
    );
    expect(m.links.map((l) => l.url)).toEqual(['https://site.example/ok']);
    expect(m.meta).toEqual([]);
  });

  it('builds link text without script/style/noscript, and an <a> inside an <a> closes the outer one', () => {
    const m = extract(
      '<a href="/a">one<script>var x="<b>";</script><style>.x{}</style><noscript>js off</noscript> two<a href="/b">three</a></a>',
      PAGE,
    );
    expect(m.links.map((l) => [l.url, l.text])).toEqual([
      ['https://site.example/a', 'one two'],
      ['https://site.example/b', 'three'],
    ]);
  });

  it('keeps only http(s) links and counts <area href>', () => {
    const m = extract(
      '<a href="mailto:a@b.c">m</a><a href="javascript:void(0)">j</a><a>no href</a><a href="">self</a><map><area href="/map" alt="x"></map>',
      PAGE,
    );
    expect(m.links.map((l) => [l.url, l.text])).toEqual([
      ['https://site.example/dir/page.html', 'self'],
      ['https://site.example/map', ''],
    ]);
    expect(m.linksCount).toBe(2);
  });

  it('never throws, whatever the input', () => {
    const inputs = [
      '',
      '<',
      '<!--',
      '<script type="application/ld+json">{',
      '<title>unterminated',
      '<a href="http://[::1">bad url</a>',
      '\u0000\uFFFF\uD800',
      '<svg><math><title><a href=/x>',
      `<script type="application/ld+json">${'['.repeat(100_000)}${']'.repeat(100_000)}</script>`,
    ];
    for (const html of inputs) expect(() => extract(html, PAGE)).not.toThrow();
    expect(() => extract('<a href="/x">x</a>', 'not a url')).not.toThrow();
    expect(extract('<title>unterminated', PAGE).title).toBe('unterminated');
  });
});
