/** Custom rules applied to real corpus pages: each kind, keep-every-match, a failing rule, the regex budget. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractCustom, MAX_VALUE_CHARS, mayHaveMicrodata } from '../../src/extract/custom.js';
import { extract } from '../../src/extract/index.js';
import { runRegexJobs } from '../../src/extract/regex-budget.js';
import { parseRules } from '../../src/extract/rules.js';

function page(name: string) {
  const html = readFileSync(new URL(`../fixtures/corpus/pages/${name}`, import.meta.url), 'utf8');
  const meta = extract(html, `https://${name}.example/`);
  return { html, baseUrl: meta.baseUrl, jsonld: meta.jsonld };
}

function run(name: string, rules: string[], opts: { all?: boolean } = {}) {
  return extractCustom(page(name), parseRules(rules, opts), false);
}

describe('custom extraction rules on corpus pages', () => {
  it('css: text (whitespace collapsed), an attribute, every match in document order', () => {
    const r = run('nytimes-1.html', [
      'author=css:.byline-author@data-byline-name',
      'byline=css:.byline',
      'sections[]=css:meta[property="article:section"]@content',
      'tags[]=css:meta[property="article:tag"]@content',
      'missing=css:.no-such-class',
      'none[]=css:.no-such-class',
    ]);
    expect(r.extracts).toEqual({
      author: 'JEFFREY GETTLEMAN',
      byline: 'By JEFFREY GETTLEMAN',
      sections: ['Africa'],
      tags: ['Embargoes and Sanctions', 'Sudan', 'South Sudan', 'United States'],
      missing: null,
      none: [],
    });
    expect(r.extractErrors).toBeUndefined();
  });

  it('css @html: the inner HTML of the first match', () => {
    const r = run('nytimes-1.html', ['byline=css:.byline@html']);
    expect(r.extracts?.byline).toMatch(
      /^By <a href="http:\/\/www.nytimes.com\/by\/jeffrey-gettleman"[^>]*><span class="byline-author"/,
    );
    const h = run('nytimes-1.html', ['title=css:title@html']);
    expect(h.extracts?.title).toBe('United States to Lift Sudan Sanctions - The New York Times');
  });

  it('regex: the first capture group over the decoded body, or every match with []', () => {
    const r = run('extruct-songkick-elysianfields.html', [
      'app=regex:"al:ios:app_store_id" content="(\\d+)"',
      'years[]=regex:datetime="(\\d{4})-',
      'nothing=regex:no-such-thing-(\\d+)',
    ]);
    expect(r.extracts?.app).toBe('438690886');
    expect(Array.isArray(r.extracts?.years)).toBe(true);
    expect((r.extracts?.years as string[] | undefined)?.length).toBeGreaterThan(1);
    expect(r.extracts?.nothing).toBeNull();
  });

  it('jsonld: selects by @type, walks arrays and nested nodes, keeps document order', () => {
    const r = run('extruct-songkick-elysianfields.html', [
      'venue=jsonld:MusicEvent.location.name',
      'venues[]=jsonld:MusicEvent.location.name',
      'lat=jsonld:GeoCoordinates.latitude',
      'performers[]=jsonld:MusicEvent.performer.name',
    ]);
    expect(r.extracts?.venue).toBe('The Owl Music Parlor');
    expect(r.extracts?.venues).toEqual([
      'The Owl Music Parlor',
      'Hotel Utah Saloon',
      'Le VIP',
      'Le Rocher De Palmer',
    ]);
    // A number is given as its JSON text.
    expect(r.extracts?.lat).toBe('40.660109');
    expect((r.extracts?.performers as string[] | undefined)?.slice(0, 3)).toEqual([
      'Elysian Fields',
      'Elysian Fields',
      'Chocolate Genius Inc.',
    ]);
    const node = run('metascraper-anandtech.html', ['product=jsonld:Product']).extracts?.product as string;
    expect(JSON.parse(node)).toMatchObject({ '@type': 'Product', image: { width: '678' } });
  });

  it('jsonld: @graph and type IRIs', () => {
    const html = `<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
      {"@type":"WebPage","name":"w"},{"@type":["Thing","http://schema.org/Product"],"offers":[{"price":1},{"price":{"@value":"2.50"}}]}]}</script>`;
    const meta = extract(html, 'https://a.example/');
    const r = extractCustom(
      { html, baseUrl: meta.baseUrl, jsonld: meta.jsonld },
      parseRules(['p[]=jsonld:Product.offers.price']),
      false,
    );
    expect(r.extracts?.p).toEqual(['1', '2.50']);
  });

  it('--extract-all: every rule gives an array', () => {
    const r = run('nytimes-1.html', ['author=css:.byline-author@data-byline-name', 'v=jsonld:NoSuchType.x'], {
      all: true,
    });
    expect(r.extracts).toEqual({ author: ['JEFFREY GETTLEMAN'], v: [] });
  });

  it('a rule that fails on one page: value null, the reason kept, the other rules unharmed', () => {
    // The whole <body> of a 234 KB page as HTML is longer than a value may be.
    const r = run('extruct-microdata-with-description.html', ['huge=css:body@html', 'name=css:h1']);
    expect(r.extracts?.huge).toBeNull();
    expect(r.extractErrors?.huge).toMatch(new RegExp(`longer than ${MAX_VALUE_CHARS}`));
    expect(r.extracts?.name).toBe('Johnsons 4 Fleas Cats & Kittens Tablets');
  });

  it('the regex budget stops a catastrophic-backtracking pattern; the rules around it still run', () => {
    const html = `<p>sku=A1</p>${'a'.repeat(40)}!`;
    const started = Date.now();
    const r = extractCustom(
      { html, baseUrl: 'https://a.example/', jsonld: [] },
      parseRules(['sku=regex:sku=(\\w+)', 'evil=regex:((a+)+)$', 'after=css:p']),
      false,
    );
    const took = Date.now() - started;
    expect(r.extracts).toEqual({ sku: 'A1', evil: null, after: 'sku=A1' });
    expect(r.extractErrors?.evil).toMatch(/time budget/);
    // Without the budget this pattern runs for hours on 40 characters.
    expect(took).toBeLessThan(60_000);
  });

  it("the budget is shared by a page's regex rules: the running one fails, the later ones are reported", () => {
    const body = 'a'.repeat(30);
    const out = runRegexJobs(
      [
        { re: /(a)/, all: false },
        { re: /((a+)+)b/, all: false },
        { re: /(a+)/, all: true },
      ],
      body,
      10,
      50,
    );
    expect(out[0]).toEqual({ ok: true, values: ['a'] });
    expect(out[1]).toMatchObject({ ok: false });
    // The context is usable again after an interrupted run.
    expect(runRegexJobs([{ re: /(a{3})/, all: true }], body, 2)).toEqual([
      { ok: true, values: ['aaa', 'aaa'] },
    ]);
  });

  it('microdata is looked for only when the body says itemscope', () => {
    expect(mayHaveMicrodata('<div itemscope>')).toBe(true);
    expect(mayHaveMicrodata(Buffer.from('<DIV ITEMSCOPE>'))).toBe(true);
    expect(mayHaveMicrodata(Buffer.from('<div>plain</div>'))).toBe(false);
    const r = extractCustom(page('nytimes-1.html'), [], true);
    expect(r.microdataTypes).toContain('http://schema.org/NewsArticle');
    expect(extractCustom(page('extruct-songkick-elysianfields.html'), [], true)).toEqual({});
  });
});
