/**
 * Links as a browser sees them: the streaming scan's <a>/<area> list (src/extract/anchors.ts, an emulation
 * of WHATWG tree construction's active formatting elements and adoption agency) against parse5's tree
 * (through cheerio), on hand-written cases and on random nestings from a seeded generator.
 */
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH } from '../../src/extract/anchors.js';
import { extract } from '../../src/extract/index.js';
import { scan } from '../../src/extract/scan.js';
import { type Link, oracle, randomPage, rng } from '../helpers/parse5-links.js';

function ours(html: string): Link[] {
  return scan(html).anchors.map((a) => ({ tag: a.tag, href: a.href, text: a.text, rel: a.rel }));
}

/** Named cases: [name, html]; each must give parse5's list exactly. */
const CASES: [string, string][] = [
  ['reconstruction after </p>', '<p><a href=x>a</p><p>b'],
  ['reconstruction around whitespace then a block', '<p><a href=x>a</p> <div>b</div>'],
  ['a around a block, closed inside it', '<a href=x><div>t</a>u</div>'],
  ['a around a block, closed after it', '<a href=x><div>t</div></a>'],
  ['a around a p, text after', '<a href=x>1<p>2</a>3'],
  ['a inside a', '<a href=1>one<a href=2>two</a>'],
  ['a inside a inside a block', '<a href=1><div>one<a href=2>two</a></div>'],
  ['misnested </a> and </b>', '<a href=x><b>1</a>2</b>3'],
  ['b around a', '<b><a href=x>1</b>2</a>3'],
  ['b and i around a, closed out of order', '<b><i><a href=x>1</b>2</i>3</a>4'],
  ['formatting inside a split by a block', '<b>1<a href=x>2<div>3</b>4</a>5</div>'],
  ['span closing an a', '<span><a href=x>1</span>2'],
  ['li closing an a', '<ul><li><a href=x>1<li>2</ul>3'],
  ['heading closing an a', '<h1><a href=x>1</h1>2'],
  ["Noah's Ark: three identical kept", '<p><a href=x><a href=x><a href=x><a href=x>1</p>2'],
  ["Noah's Ark: b x4 around a", '<p><b><b><b><b><a href=x>1</p>2'],
  [
    "Noah's Ark: different attributes are different",
    '<p><b class=1><b class=2><b class=3><b class=4><a href=x>t</p>u',
  ],
  ['td marker stops reconstruction', '<a href=x>1<table><tr><td>2</td></tr></table>3'],
  ['td clears to its marker', '<table><tr><td><a href=x>1</td><td>2</td></tr></table>3'],
  ['caption marker', '<table><caption><a href=x>1</caption><tr><td>2</table>3'],
  ['object marker', '<p><object><a href=x>1</p>2</object>3'],
  ['marquee marker', '<marquee><a href=x>1</marquee>2'],
  ['applet marker', '<a href=x><applet>1</applet>2</a>'],
  ['template marker and content', '<a href=x>1<template><a href=y>2</a></template>3</a>'],
  ['a foster-parented before a table', '<table><tr><td>1</td></tr><a href=x>2</a></table>'],
  ['a in a table, re-created for fostered text', '<table><a href=x>1<tr><td>2</td></tr>3</table>'],
  ['a before a table, fostered text', '<!DOCTYPE html><p><a href=x>1<table>2</table>3'],
  ['quirks: table inside p', '<p><a href=x>1<table><tr><td>2</td></tr></table>3'],
  ['whitespace in a table does not re-create', '<a href=x><table> <tr> <td>1</td> </tr> </table></a>'],
  ['area in a re-created a', '<p><a href=x>1</p><area href=y>'],
  ['img re-creates an empty a', '<p><a href=x>1</p><img>'],
  ['br end tag re-creates', '<p><a href=x>1</p></br>'],
  ['a without href still splits', '<a name=n><p>1</a>2<a href=x>3</a>'],
  ['a in select is ignored', '<select><option><a href=x>1</a></select><a href=y>2</a>'],
  ['a around select', '<a href=x><select><option>1</select>2</a>'],
  ['form removed from the stack', '<form><a href=x>1</form>2</a>3'],
  ['nobr', '<nobr><a href=x>1<nobr>2</a>3'],
  ['button', '<a href=x><button>1</a>2</button>3'],
  ['svg breakout', '<a href=x><svg><g>1<p>2</a>3'],
  ['svg a is not a link', '<svg><a href=x>1</a></svg><a href=y>2</a>'],
  ['nested tables', '<table><tr><td><a href=x>1<table><tr><td>2</td></tr></table>3</td></tr></table>4'],
  ['dd dt', '<dl><dt><a href=x>1<dd>2</dl>3'],
  ['rel kept on clones', '<p><a href=x rel=nofollow>1</p>2'],
  ['deep adoption: 4 formatting between', '<a href=x><b><i><u><s><div>1</a>2'],
  ['inner loop: more than 3 formatting elements', '<b><a href=x><i><u><em><strong><div>1</b>2'],
  ['two links in one paragraph then close', '<p><a href=1>a</a><a href=2>b</p>c'],
  ['plaintext reconstructs', '<p><a href=x>1</p><plaintext>2'],
  ['textarea does not reconstruct', '<p><a href=x>1</p><textarea>2</textarea>'],
  ['newline after <pre> dropped', '<a href=x><pre>\nt</pre></a>'],
  ['newline after <pre> kept after a comment', '<a href=x><pre><!-- c -->\nt</pre></a>'],
  [
    'newline after <listing> kept after a processing instruction',
    '<a href=x><listing><?pi>\nt</listing></a>',
  ],
  ['newline after <pre> kept after a DOCTYPE', '<a href=x><pre><!DOCTYPE html>\nt</pre></a>'],
];

describe('links as parse5 builds them: named cases', () => {
  for (const [name, html] of CASES) {
    it(name, () => {
      expect(ours(html)).toEqual(oracle(html));
    });
  }

  it("gives two links for <p><a>a</p><p>b (the issue's example), both through extract()", () => {
    const m = extract('<p><a href=x>a</p><p>b', 'https://site.example/');
    expect(m.links.map((l) => [l.url, l.text])).toEqual([
      ['https://site.example/x', 'a'],
      ['https://site.example/x', 'b'],
    ]);
  });
});

describe('links as parse5 builds them: random nestings (seeded)', () => {
  it('agrees with parse5 on 4000 random pages', () => {
    const r = rng(16);
    const bad: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const html = randomPage(r, 5 + Math.floor(r() * 30));
      if (JSON.stringify(ours(html)) !== JSON.stringify(oracle(html))) bad.push(html);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });
});

describe('links emulation stays linear', () => {
  it('handles 100,000 nested divs, formatting elements and anchors', () => {
    const n = 100_000;
    const html = `${'<div><b><a href=x>t'.repeat(n)}${'</a></b></div>'.repeat(n)}`;
    const a = scan(html).anchors;
    expect(a.length).toBeGreaterThanOrEqual(n);
    expect(a.every((l) => /^t*$/.test(l.text))).toBe(true);
  });

  it(`keeps links and their text beyond ${MAX_DEPTH} open elements (the cap)`, () => {
    const html = `${'<div>'.repeat(MAX_DEPTH * 2)}<a href=x>deep</a> after <a href=y>deeper</a>`;
    expect(ours(html)).toEqual(oracle(html));
  });
});
