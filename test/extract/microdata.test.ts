/**
 * Microdata per the HTML standard (§5 Microdata): its examples, each value kind, nesting, itemref and loops,
 * and the extruct-derived corpus page that carries a Product as microdata.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { microdata } from '../../src/extract/microdata.js';

const md = (html: string, base = 'https://example.com/page') => microdata(parseDocument(html), base);

describe('microdata (HTML standard model)', () => {
  it("the standard's JSON example: a typed BlogPosting with nested comments, each by a Person", () => {
    // https://html.spec.whatwg.org/multipage/microdata.html#json (the blog post example), as served from
    // https://blog.example.com/progress-report; the expected object is the one the standard prints.
    const html = `<!DOCTYPE HTML>
<html lang="en">
<title>My Blog</title>
<article itemscope itemtype="https://schema.org/BlogPosting">
 <header>
  <h1 itemprop="headline">Progress report</h1>
  <p><time itemprop="datePublished" datetime="2013-08-29">today</time></p>
  <link itemprop="url" href="?comments=0">
 </header>
 <p>All in all, he's doing well with his swim lessons.</p>
 <section>
  <h1>Comments</h1>
  <article itemprop="comment" itemscope itemtype="https://schema.org/UserComments" id="c1">
   <link itemprop="url" href="#c1">
   <footer>
    <p>Posted by: <span itemprop="creator" itemscope itemtype="https://schema.org/Person">
     <span itemprop="name">Greg</span>
    </span></p>
    <p><time itemprop="commentTime" datetime="2013-08-29">15 minutes ago</time></p>
   </footer>
   <p>Ha!</p>
  </article>
  <article itemprop="comment" itemscope itemtype="https://schema.org/UserComments" id="c2">
   <link itemprop="url" href="#c2">
   <footer>
    <p>Posted by: <span itemprop="creator" itemscope itemtype="https://schema.org/Person">
     <span itemprop="name">Charlotte</span>
    </span></p>
    <p><time itemprop="commentTime" datetime="2013-08-29">5 minutes ago</time></p>
   </footer>
   <p>When you say "we got it down"...</p>
  </article>
 </section>
</article>`;
    const comment = (id: string, who: string) => ({
      type: ['https://schema.org/UserComments'],
      properties: {
        url: [`https://blog.example.com/progress-report#${id}`],
        creator: [{ type: ['https://schema.org/Person'], properties: { name: [who] } }],
        commentTime: ['2013-08-29'],
      },
    });
    const r = md(html, 'https://blog.example.com/progress-report');
    expect(r.items).toEqual([
      {
        type: ['https://schema.org/BlogPosting'],
        properties: {
          headline: ['Progress report'],
          datePublished: ['2013-08-29'],
          url: ['https://blog.example.com/progress-report?comments=0'],
          comment: [comment('c1', 'Greg'), comment('c2', 'Charlotte')],
        },
      },
    ]);
    expect(r.types).toEqual([
      'https://schema.org/BlogPosting',
      'https://schema.org/UserComments',
      'https://schema.org/Person',
    ]);
  });

  it("itemref: the standard's Amanda / Jazz Band example (properties outside the item, nested by reference)", () => {
    const html = `<div itemscope id="amanda" itemref="a b"></div>
<p id="a">Name: <span itemprop="name">Amanda</span></p>
<div id="b" itemprop="band" itemscope itemref="c"></div>
<div id="c">
 <p>Band: <span itemprop="name">Jazz Band</span></p>
 <p>Size: <span itemprop="size">12</span> players</p>
</div>`;
    expect(md(html).items).toEqual([
      { properties: { name: ['Amanda'], band: [{ properties: { name: ['Jazz Band'], size: ['12'] } }] } },
    ]);
  });

  it('each value kind as the standard defines it', () => {
    const html = `<div itemscope itemtype="http://vocab.example.net/book" itemid="urn:isbn:0-330-34032-8">
  <meta itemprop="m" content="from meta"><meta itemprop="m0">
  <img itemprop="img" src="logo.png" alt="Google">
  <video itemprop="video" src="/v.mp4"></video><audio itemprop="audio"></audio>
  <a itemprop="a" href="../up">text is not the value</a>
  <area itemprop="area" href="https://other.example/x">
  <object itemprop="obj" data="movie.swf"></object>
  <data itemprop="product-id" value="9678AOU879">The Instigator 2000</data>
  <meter itemprop="ratingValue" min=0 value=3.5 max=5>Rated 3.5/5</meter>
  <time itemprop="birthday" datetime="2009-05-10">May 10th 2009</time>
  <time itemprop="t">2011-01-02</time>
  <span itemprop="text">  several
     words  </span>
  <p itemprop="x y x">two names, once each</p>
</div>`;
    const [item] = md(html).items;
    expect(item.type).toEqual(['http://vocab.example.net/book']);
    expect(item.id).toBe('urn:isbn:0-330-34032-8');
    expect(item.properties).toEqual({
      m: ['from meta'],
      m0: [''],
      img: ['https://example.com/logo.png'],
      video: ['https://example.com/v.mp4'],
      audio: [''],
      a: ['https://example.com/up'],
      area: ['https://other.example/x'],
      obj: ['https://example.com/movie.swf'],
      'product-id': ['9678AOU879'],
      ratingValue: ['3.5'],
      birthday: ['2009-05-10'],
      t: ['2011-01-02'],
      text: ['several words'],
      x: ['two names, once each'],
      y: ['two names, once each'],
    });
  });

  it('an untyped item has no id; items with itemprop are not top-level; a loop gives "ERROR"', () => {
    const html = `<div itemscope itemid="urn:x"><span itemprop="n">1</span></div>
<div itemprop="orphan" itemscope><span itemprop="n">2</span></div>
<div itemscope><div id="p1" itemprop="p" itemscope itemref="p2"></div></div>
<div id="p2" itemprop="q" itemscope itemref="p1"></div>`;
    const items = md(html).items;
    expect(items).toHaveLength(2);
    expect(items[0]).toEqual({ properties: { n: ['1'] } });
    // p1 → (itemref) p2 → (itemref) p1 again: the standard's loop check gives the string "ERROR".
    expect(items[1]).toEqual({
      properties: { p: [{ properties: { q: [{ properties: { p: ['ERROR'] } }] } }] },
    });
  });

  it('the extruct corpus page: a Product with an AggregateOffer and two Offers', () => {
    const html = readFileSync(
      new URL('../fixtures/corpus/pages/extruct-microdata-with-description.html', import.meta.url),
      'utf8',
    );
    const r = md(html, 'https://shop.example/p');
    expect(r.items).toHaveLength(1);
    const p = r.items[0];
    expect(p.type).toEqual(['http://schema.org/Product']);
    expect(p.properties.name).toEqual(['Johnsons 4 Fleas Cats & Kittens Tablets']);
    expect(p.properties.brand).toEqual(['Johnsons']);
    const offers = p.properties.offers as Array<{ type: string[]; properties: Record<string, string[]> }>;
    expect(offers.map((o) => o.type[0])).toEqual([
      'http://schema.org/AggregateOffer',
      'http://schema.org/Offer',
      'http://schema.org/Offer',
    ]);
    expect(offers[0].properties).toMatchObject({
      lowPrice: ['5.29'],
      highPrice: ['9.56'],
      priceCurrency: ['GBP'],
    });
    expect(offers.slice(1).map((o) => [o.properties.sku[0], o.properties.price[0]])).toEqual([
      ['CS20858_1', '9.56'],
      ['CS20858_2', '5.29'],
    ]);
    expect(offers[1].properties.availability).toEqual(['http://schema.org/InStock']);
    expect(p.properties.description[0]).toMatch(/^Johnsons 4 Fleas Cats & Kittens - 3 Treatment Pack/);
    expect(r.types).toEqual([
      'http://schema.org/Product',
      'http://schema.org/AggregateOffer',
      'http://schema.org/Offer',
    ]);
    // The page writes itemtype="…/OfferItemCondition" on a <link> without itemscope: no item, so not a type.
    expect(offers[1].properties.itemCondition).toEqual(['http://schema.org/NewCondition']);
  });
});
