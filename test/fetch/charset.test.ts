import { describe, expect, it } from 'vitest';
import { isUtf8 } from '../../src/fetch/charset.js';
import { charsetParam, decodeHtml } from '../../src/fetch/index.js';
import { charsetFromContent, prescanMeta } from '../../src/fetch/prescan.js';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

// Known byte sequences (node has no encoders for these, so they are written out).
const SAMPLES = [
  { label: 'gbk', encoding: 'gbk', raw: [0xd6, 0xd0, 0xce, 0xc4], text: '中文' },
  { label: 'Shift_JIS', encoding: 'shift_jis', raw: [0x93, 0xfa, 0x96, 0x7b], text: '日本' },
  {
    label: 'windows-1251',
    encoding: 'windows-1251',
    raw: [0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2],
    text: 'Привет',
  },
  // iso-8859-1 is windows-1252 to browsers: 0x80 is the euro sign, not a C1 control.
  {
    label: 'ISO-8859-1',
    encoding: 'windows-1252',
    raw: [0x63, 0x61, 0x66, 0xe9, 0x20, 0x80],
    text: 'café €',
  },
];

describe('decodeHtml: each declaration route', () => {
  for (const s of SAMPLES) {
    it(`${s.label} by Content-Type header`, () => {
      const out = decodeHtml(bytes('<p>', s.raw, '</p>'), `text/html; charset=${s.label}`);
      expect(out.html).toBe(`<p>${s.text}</p>`);
      expect(out.encoding).toBe(s.encoding);
      expect(out.declared).toBe(s.label.toLowerCase());
    });

    it(`${s.label} by <meta charset>`, () => {
      const out = decodeHtml(
        bytes(`<!doctype html><html><head><meta charset="${s.label}"><p>`, s.raw),
        'text/html',
      );
      expect(out.html.endsWith(`<p>${s.text}`)).toBe(true);
      expect(out.encoding).toBe(s.encoding);
      expect(out.declared).toBe(s.label.toLowerCase());
    });

    it(`${s.label} by <meta http-equiv=content-type>`, () => {
      const page = bytes(
        `<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=${s.label}"><p>`,
        s.raw,
      );
      const out = decodeHtml(page, null);
      expect(out.html.endsWith(`<p>${s.text}`)).toBe(true);
      expect(out.encoding).toBe(s.encoding);
    });
  }

  it('UTF-8 by BOM only (the BOM is stripped)', () => {
    const out = decodeHtml(bytes([0xef, 0xbb, 0xbf], '<p>'), null);
    expect(out).toEqual({ html: '<p>', encoding: 'utf-8', declared: null });
    const cjk = decodeHtml(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('中文 Привет')]),
      null,
    );
    expect(cjk.html).toBe('中文 Привет');
  });

  it('UTF-16LE and UTF-16BE by BOM only', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<p>日本</p>', 'utf16le')]);
    expect(decodeHtml(le, null)).toMatchObject({ html: '<p>日本</p>', encoding: 'utf-16le' });
    const be = Buffer.from(
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('<p>日本</p>', 'utf16le').swap16()]),
    );
    expect(decodeHtml(be, null)).toMatchObject({ html: '<p>日本</p>', encoding: 'utf-16be' });
  });

  it('the header wins when header and meta disagree', () => {
    const page = bytes('<meta charset="gbk"><p>', [0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2]);
    const out = decodeHtml(page, 'text/html; charset=windows-1251');
    expect(out.html).toBe('<meta charset="gbk"><p>Привет');
    expect(out.encoding).toBe('windows-1251');
    expect(out.declared).toBe('windows-1251');
  });

  it('the BOM beats both header and meta', () => {
    const page = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('<meta charset="shift_jis"><p>中文'),
    ]);
    const out = decodeHtml(page, 'text/html; charset=gbk');
    expect(out.html).toBe('<meta charset="shift_jis"><p>中文');
    expect(out.encoding).toBe('utf-8');
    expect(out.declared).toBe('gbk');
  });

  it('skips an unknown header label and falls back to the meta', () => {
    const out = decodeHtml(
      bytes('<meta charset=gb2312><p>', [0xd6, 0xd0, 0xce, 0xc4]),
      'text/html; charset="x-bogus"',
    );
    expect(out.html).toBe('<meta charset=gb2312><p>中文');
    expect(out.encoding).toBe('gbk');
  });

  it('decodes windows-1252 0x80-0x9F as browsers do (curly quotes, euro), not as C1 controls', () => {
    const out = decodeHtml(
      bytes('<p>', [0x93], 'hi', [0x94, 0x20, 0x80, 0x99]),
      'text/html; charset=windows-1252',
    );
    expect(out.html).toBe('<p>\u201chi\u201d \u20ac\u2122');
  });

  it('reads UTF-16 declared in a meta as UTF-8, as the spec says', () => {
    const out = decodeHtml(Buffer.from('<meta charset="utf-16"><p>中文'), null);
    expect(out.encoding).toBe('utf-8');
    expect(out.html).toBe('<meta charset="utf-16"><p>中文');
    expect(out.declared).toBe('utf-16');
  });

  it('defaults to UTF-8 for valid UTF-8 (even cut mid-character) and windows-1252 otherwise', () => {
    expect(decodeHtml(Buffer.from('<p>héllo 中文'), null).encoding).toBe('utf-8');
    const cut = Buffer.from('<p>中文').subarray(0, -1);
    expect(decodeHtml(cut, null).encoding).toBe('utf-8');
    const latin = decodeHtml(bytes('<p>caf', [0xe9]), 'text/html');
    expect(latin).toEqual({ html: '<p>café', encoding: 'windows-1252', declared: null });
  });
});

describe('isUtf8 (the undeclared-page default)', () => {
  /** The definition: the WHATWG UTF-8 decoder in fatal mode accepts it (a cut last character allowed after non-ASCII). */
  function reference(b: Buffer): boolean {
    const valid = (stream: boolean) => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(b, { stream });
        return true;
      } catch {
        return false;
      }
    };
    if (valid(false)) return true;
    if (!valid(true)) return false;
    let start = b.length - 1;
    while (start > 0 && start > b.length - 4 && (b[start] & 0xc0) === 0x80) start--;
    return b.subarray(0, start).some((x) => x >= 0x80);
  }

  it('agrees with the fatal decoder on overlongs, surrogates, out-of-range, cut and random sequences', () => {
    const cases = [
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80],
      [0xe2, 0x82],
      [0x61, 0xe2, 0x82],
      [0xc3, 0xa9, 0xe2, 0x82],
      [0xef, 0xbb, 0xbf, 0x61],
      [0xff],
      [],
    ].map((x) => Buffer.from(x));
    let s = 9;
    const r = () => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return s / 0x7fffffff;
    };
    for (let i = 0; i < 20_000; i++) {
      const b = Buffer.alloc(Math.floor(r() * 10));
      for (let j = 0; j < b.length; j++)
        b[j] = r() < 0.3 ? Math.floor(r() * 128) : 0x80 + Math.floor(r() * 128);
      cases.push(b);
    }
    const wrong = cases.filter((b) => isUtf8(b) !== reference(b)).map((b) => b.toString('hex'));
    expect(wrong).toEqual([]);
    expect(cases.filter((b) => isUtf8(b)).length).toBeGreaterThan(100);
  });
});

describe('prescanMeta (WHATWG prescan)', () => {
  const scan = (html: string) => prescanMeta(Buffer.from(html, 'latin1'))?.encoding ?? null;

  it.each<[string, string | null]>([
    ['<meta charset="gbk">', 'gbk'],
    ["<meta charset='Shift_JIS'>", 'shift_jis'],
    ['<meta charset=windows-1251>', 'windows-1251'],
    ['<META CHARSET=GBK>', 'gbk'],
    ['<meta   charset = "gbk" >', 'gbk'],
    ['<meta http-equiv="content-type" content="text/html; charset=gbk">', 'gbk'],
    ['<meta content="text/html; charset=gbk" http-equiv="Content-Type">', 'gbk'],
    ['<meta http-equiv=Content-Type content=\'text/html;charset="euc-kr"\'>', 'euc-kr'],
    // content without the pragma declares nothing
    ['<meta content="text/html; charset=gbk">', null],
    ['<meta name="description" content="charset=gbk">', null],
    // comments and other markup are skipped
    ['<!-- <meta charset="gbk"> --><meta charset="big5">', 'big5'],
    ['<!--><meta charset="big5">', 'big5'],
    ['<script>var s = "<meta charset=gbk>"</script>', 'gbk'],
    ['<div title="<meta charset=gbk>"><meta charset="koi8-r">', 'koi8-r'],
    ['<?xml version="1.0"?><meta charset="euc-jp">', 'euc-jp'],
    ['<metadata charset="gbk"><meta charset="big5">', 'big5'],
    // first meta wins; an unknown label is skipped
    ['<meta charset="gbk"><meta charset="big5">', 'gbk'],
    ['<meta charset="nope"><meta charset="big5">', 'big5'],
    ['<meta charset="x-user-defined">', 'windows-1252'],
    ['<meta charset="utf-16le">', 'utf-8'],
    ['<meta charset="latin1">', 'windows-1252'],
    ['<p>no declaration</p>', null],
    [`${' '.repeat(1020)}<meta charset="gbk">`, null],
  ])('%s → %s', (html, expected) => {
    expect(scan(html)).toBe(expected);
  });

  it.each<[string, string | null]>([
    ['text/html; charset=gbk', 'gbk'],
    ['text/html;charset="big5"', 'big5'],
    ["text/html; charset='euc-kr'", 'euc-kr'],
    ['text/html; CHARSET = shift_jis; x=1', 'shift_jis'],
    ['text/html; charset="unterminated', null],
    ['text/html', null],
    ['text/html; charsetfoo charset=koi8-r', 'koi8-r'],
  ])('meta content %j → %j', (content, expected) => {
    expect(charsetFromContent(content)?.encoding ?? null).toBe(expected);
  });

  it('reads the Content-Type charset parameter', () => {
    expect(charsetParam('text/html; charset="GBK"')).toBe('gbk');
    expect(charsetParam('text/html; Charset=utf-8; foo=bar')).toBe('utf-8');
    expect(charsetParam('text/html')).toBeNull();
    expect(charsetParam(null)).toBeNull();
  });
});
