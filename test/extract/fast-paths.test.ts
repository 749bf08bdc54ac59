import { describe, expect, it } from 'vitest';
import { extract, extractUtf8 } from '../../src/extract/index.js';
import { tokens } from '../../src/extract/text.js';

const PAGE = 'https://site.example/dir/page.html';

/** The same page as text and as UTF-8 bytes: both paths give the same metadata. */
function both(html: string) {
  const a = extract(html, PAGE);
  expect(extractUtf8(Buffer.from(html, 'utf8'), PAGE)).toEqual(a);
  return a;
}

describe('extract: fast paths answer as the general rules do', () => {
  it('splits token lists with spaces or capitals, and keeps a single lowercase token whole', () => {
    expect(tokens('stylesheet')).toEqual(['stylesheet']);
    expect(tokens('Canonical')).toEqual(['canonical']);
    expect(tokens(' icon\tSHORTCUT\n')).toEqual(['icon', 'shortcut']);
    expect(tokens('a\u0001b')).toEqual(['a\u0001b']);
    expect(tokens('')).toEqual([]);
  });

  it('finds description and viewport whatever the case and the spaces around the name', () => {
    const m = both(
      '<meta name="viewports" content="no"><meta name=" Viewport " content="width=1">' +
        '<meta name="DESCRIPTION"><meta name="\tDescription" content="d">',
    );
    expect(m.viewport).toBe('width=1');
    expect(m.description).toBe('d');
  });

  it('keys og/twitter by the trimmed, case-kept property or name', () => {
    const m = both(
      '<meta property=" og:title" content="a"><meta property="OG:title" content="b">' +
        '<meta name="twitter:card " content="c"><meta name="Twitter:site" content="d">',
    );
    expect(m.og).toEqual({ 'og:title': 'a' });
    expect(m.twitter).toEqual({ 'twitter:card': 'c' });
  });

  it('keeps the first of repeated attributes, reads alt by its presence alone', () => {
    const m = both(
      '<html lang="fr" lang="de"><meta name="a" name="b" content="1" content="2">' +
        '<link rel="canonical" href="/one" rel="x" href="/two"><a href="/x" href="/y" rel="nofollow">x</a>' +
        '<img alt><img src="i.png" ALT="&amp;"><img src="j.png">',
    );
    expect(m.lang).toBe('fr');
    expect(m.meta).toEqual([['name', 'a', '1']]);
    expect(m.canonical).toBe('https://site.example/one');
    expect(m.links).toEqual([{ url: 'https://site.example/x', text: 'x', rel: 'nofollow', tag: 'a' }]);
    expect(m.audit?.imgCount).toBe(3);
    expect(m.audit?.imgMissingAlt).toBe(1);
  });
});
