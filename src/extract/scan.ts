/**
 * One streaming pass over the HTML with htmlparser2's Tokenizer (no tree; the link emulation keeps a
 * bounded stack of element names), collecting the raw material every extract rule needs. Memory and time
 * are linear in the input; nesting depth costs nothing, so 100,000 nested <div>s are harmless.
 *
 * Where htmlparser2's tokenizer and WHATWG tree construction (scripting enabled) disagree on
 * something an extract rule can see, the WHATWG behaviour is emulated here:
 * - <noscript>, <iframe>, <noembed>, <noframes>, <plaintext> content is raw text (no tags inside);
 * - <title>, <textarea>, <style>, <script> inside <svg>/<math> are not raw text, and an SVG <title>
 *   is not the document title; an HTML "breakout" tag (div, p, ...) ends foreign content;
 * - the first attribute of a given name wins; CR/CRLF become LF (done by the rules on use);
 * - links are the <a>/<area> elements tree construction makes (anchors.ts: the active formatting elements,
 *   the adoption agency, foster parenting), so every start and end tag goes to the link emulation; an end
 *   tag naming the current node is matched there without a name lookup.
 * Not emulated: see test/extract/DIFFERENCES.md (template contents' insertion modes, a few <select> and
 * SVG/MathML corners).
 */
import { AnchorTree, type RawAnchor } from './anchors.js';
import { AuditCounter } from './audit.js';
import { Codes, pieceCodes } from './codes.js';
import { knownNames, lastInfo, NameFilter, nameAt } from './names.js';
import { PageText } from './page-text.js';
import { FastTokenizer } from './tokenizer.js';
import { infoOf, treeNames } from './tree-names.js';

/**
 * A kept element's attributes: <meta> and <link> each get every field of theirs (undefined when absent), so all
 * of them share one shape.
 */
export interface Attrs {
  name?: string;
  property?: string;
  'http-equiv'?: string;
  itemprop?: string;
  charset?: string;
  content?: string;
  rel?: string;
  href?: string;
  type?: string;
  hreflang?: string;
  sizes?: string;
  title?: string;
}
export type { RawAnchor };

export interface Scan {
  /** Text of the first HTML <title>, entity-decoded, not collapsed; null when there is none. */
  title: string | null;
  /** lang of the <html> element (first occurrence of the attribute across <html> tags). */
  htmlLang: string | null;
  /** href of the first <base href>. */
  baseHref: string | null;
  metas: Attrs[];
  /** <link> elements (rel, href, type, hreflang, sizes, title). */
  linkEls: Attrs[];
  anchors: RawAnchor[];
  /** Raw text of every <script type="application/ld+json">. */
  jsonld: string[];
  /** Text of the first <h1>, not collapsed. */
  h1: string | null;
  /** Counts and visible-text fingerprints for the site audit (audit.ts). */
  audit: AuditCounter;
}

/** The attributes the scan reads, each a slot: its value is `values[slot]`, its bit `1 << slot`. */
const ATTRS = [
  'name',
  'property',
  'http-equiv',
  'itemprop',
  'charset',
  'content',
  'rel',
  'href',
  'type',
  'hreflang',
  'sizes',
  'title',
  'lang',
  'alt',
] as const;
const SLOT = new Map<string, number>(ATTRS.map((n, i) => [n, i]));
const [
  NAME,
  PROPERTY,
  HTTP_EQUIV,
  ITEMPROP,
  CHARSET,
  CONTENT,
  REL,
  HREF,
  TYPE,
  HREFLANG,
  SIZES,
  TITLE,
  LANG,
  ALT,
] = ATTRS.map((_, i) => i);
function bits(...names: (typeof ATTRS)[number][]): number {
  let m = 0;
  for (const n of names) m |= 1 << SLOT.get(n)!;
  return m;
}
/** The attributes kept per element (a bit per slot); every other attribute value is never sliced. */
const WANTED = new Map<string, number>([
  ['meta', bits('name', 'property', 'http-equiv', 'itemprop', 'charset', 'content')],
  ['link', bits('rel', 'href', 'type', 'hreflang', 'sizes', 'title')],
  ['base', bits('href')],
  ['a', bits('href', 'rel')],
  ['area', bits('href', 'rel')],
  ['script', bits('type')],
  ['html', bits('lang')],
  ['img', bits('alt')],
  ['image', bits('alt')],
]);
/** Attributes only whose presence is read: their values are not even sliced. */
const PRESENCE = bits('alt');

/** Elements whose content the WHATWG parser (scripting on) treats as raw text but htmlparser2 does not. */
const EXTRA_RAW = new Set(['noscript', 'iframe', 'noembed', 'noframes', 'plaintext']);
/** Elements htmlparser2's tokenizer already treats as raw text / RCDATA. */
const NATIVE_RAW = new Set(['script', 'style', 'title', 'textarea', 'xmp']);
/** Raw-text elements whose text is not part of a link's text. */
const NOT_LINK_TEXT = new Set(['script', 'style', 'noscript']);
/** Raw-text elements whose text is visible (audit.ts: the visible-text rule). */
const VISIBLE_RAW = new Set(['textarea', 'xmp', 'plaintext']);
/** Foreign elements whose text is not visible. */
const HIDDEN_FOREIGN = new Set(['style', 'script', 'title']);
/** HTML start tags that end foreign (SVG/MathML) content. */
const BREAKOUT = new Set(
  'b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var'.split(
    ' ',
  ),
);
/** Foreign elements whose content is HTML again. */
const INTEGRATION = new Set([
  'foreignobject',
  'desc',
  'title',
  'mi',
  'mo',
  'mn',
  'ms',
  'mtext',
  'annotation-xml',
]);
const VOID = new Set(
  'area base br col embed hr img input keygen link meta param source track wbr basefont bgsound frame'.split(
    ' ',
  ),
);

function endSequence(name: string): Uint8Array {
  const s = `</${name}`;
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
const END_SEQ: Record<string, Uint8Array> = {};
for (const n of EXTRA_RAW) END_SEQ[n] = endSequence(n);
// <plaintext> has no end tag: a sequence no input matches (the tokenizer compares `c | 0x20`, never 0).
END_SEQ.plaintext = Uint8Array.of(0x3c, 0x2f, 0);

// Every name compared against below, so the scan's names are these very strings.
knownNames([...WANTED.keys(), ...ATTRS]);
knownNames([...EXTRA_RAW, ...NATIVE_RAW, ...BREAKOUT, ...INTEGRATION, ...VOID]);
knownNames(treeNames(), infoOf);
knownNames(['title', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'template', 'svg', 'math', 'img', 'image']);

/**
 * A names.ts info bit above tree-names.ts's (which end at bit 25): the start tags openTag and the attribute
 * collection look at beyond the link emulation; every other tag (div, span, li...) skips both.
 */
const SCAN_OPEN = 1 << 28;
knownNames(
  [...WANTED.keys(), ...NATIVE_RAW, ...EXTRA_RAW, 'title', 'h1', 'template', 'svg', 'math', 'img', 'image'],
  () => SCAN_OPEN,
);

/** End tags closeTag looks at beyond the link emulation (the fast path in onclosetag skips the others). */
const CLOSE_NAMES = new NameFilter(['template', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const WANTED_ATTRS = new NameFilter(ATTRS);

/** Codes of text begun in an earlier piece (pieceCodes holds the tokenizer's piece meanwhile). */
const sliceCodes = new Codes();

/** The tokenizer fields we steer (private in its typings, stable within htmlparser2 10.x). */
interface TokenizerInternals {
  isSpecial: boolean;
  currentSequence: Uint8Array;
}

/** A scan that found nothing (also what a page that cannot be scanned yields). */
export function emptyScan(decode: ((start: number, end: number) => string) | null = null): Scan {
  return {
    title: null,
    htmlLang: null,
    baseHref: null,
    metas: [],
    linkEls: [],
    anchors: [],
    jsonld: [],
    h1: null,
    audit: new AuditCounter(decode),
  };
}

/**
 * `html` is the page as text, or, for a UTF-8 page, its bytes as a latin1 string (one char per byte: every
 * delimiter HTML has is ASCII, so tokens fall where they would in the decoded text) with `text` turning
 * byte ranges back into text. Token boundaries are ASCII bytes, never inside a UTF-8 sequence, so decoding
 * each kept range gives exactly the slices of the decoded page. A page given as a PageText is read piece by
 * piece (page-text.ts); positions are page positions throughout.
 */
export function scan(
  html: string | PageText,
  text: (start: number, end: number) => string = (s, e) => html.slice(s, e),
  utf8Bytes = false,
): Scan {
  const page = typeof html === 'string' ? PageText.of(html) : html;
  const out = emptyScan(utf8Bytes ? text : null);
  const audit = out.audit;
  /** Open foreign elements whose text is not visible (SVG <style>, <script>, <title>). */
  let hiddenForeign = 0;
  const anchors = new AnchorTree(out.anchors, page);

  /**
   * `page[start, end)` as a range of one string for the readers below: of the piece being read (`at` is the
   * piece position of `start`), or, for a range that began in an earlier piece, of a copy (`at` 0).
   */
  let src = '';
  let at = 0;
  const locate = (start: number, end: number): void => {
    if (start >= page.base) {
      src = page.cur;
      at = start - page.base;
    } else {
      src = page.slice(start, end);
      at = 0;
    }
  };
  const spaceOnly = (start: number, end: number): boolean => {
    // A position before the page reads as NaN, never a space.
    if (start < 0) return false;
    locate(start, end);
    return isSpace(src, at, at + end - start);
  };
  /** Visible text `page[start, end)` to the audit pass. */
  const visible = (start: number, end: number): void => {
    // The piece's codes are the tokenizer's, already written.
    if (start >= page.base)
      audit.text(pieceCodes.get(page.cur), start - page.base, end - page.base, page.base);
    else {
      // Begun in an earlier piece, or at -1 (see AuditCounter.text): a copy of it from position 0 on at most.
      const from = Math.max(start, 0);
      audit.text(sliceCodes.get(page.slice(from, end)), start - from, end - from, from);
    }
  };

  let tagName = '';
  let tagNameEnd = 0;
  /** The tag name's tree-construction info (tree-names.ts infoOf), from the name lookup itself. */
  let tagInfo = 0;
  /** Whether the tag is one openTag looks at (SCAN_OPEN). */
  let tagScanned = false;
  /** The attributes of this element the scan reads (bits of slots), and those it has seen (the first one wins). */
  let wanted = 0;
  let seen = 0;
  /** The value of each seen slot (the others hold stale values). */
  const values: string[] = ATTRS.map(() => '');
  let slot = 0;
  let attrValue = '';
  /** Whether the current attribute is kept (a wanted name, not seen before on this element); `collect`: its value. */
  let keep = false;
  let collect = false;
  const value = (k: number): string | undefined => ((seen & (1 << k)) !== 0 ? values[k] : undefined);

  /** The raw-text element we are inside, if any (its end tag is the only way out). */
  let raw: string | null = null;
  let titleState: number = 0; // 0 none seen, 1 capturing the first, 2 done
  let titleText = '';
  let h1State: number = 0;
  let h1Text = '';
  let jsonText: string | null = null;
  let templateDepth = 0;
  /** Open elements since the outermost <svg>/<math>; empty when in HTML content. */
  const foreign: string[] = [];
  let integration = 0;
  const inForeign = () => foreign.length > 0 && integration === 0;

  /** Whether text here is collected at all (most text is not: no slice for it then). */
  function wantsText(): boolean {
    if (raw !== null) {
      if (raw === 'script') return jsonText !== null;
      if (raw === 'title' && titleState === 1) return true;
      if (NOT_LINK_TEXT.has(raw)) return false;
    }
    return (templateDepth === 0 && h1State === 1) || anchors.wantsText();
  }

  /** Whether text here re-creates the open formatting elements (not in raw text but <plaintext>, nor in SVG/MathML). */
  function reconstructs(): boolean {
    return (raw === null || raw === 'plaintext') && !inForeign();
  }

  /** Whether text here is visible text (audit.ts). */
  function visibleText(): boolean {
    return (
      templateDepth === 0 && hiddenForeign === 0 && (raw === null || (VISIBLE_RAW.has(raw) && !inForeign()))
    );
  }

  function addText(s: string): void {
    if (raw !== null) {
      if (raw === 'script') {
        if (jsonText !== null) jsonText += s;
        return;
      }
      if (raw === 'title' && titleState === 1) titleText += s;
      if (NOT_LINK_TEXT.has(raw)) return;
    }
    if (templateDepth === 0 && h1State === 1) h1Text += s;
    anchors.text(s);
  }

  function openTag(name: string, isSelfClosing: boolean, tagEnd: number): void {
    const foreignCtx = inForeign();
    if (foreignCtx) {
      if (BREAKOUT.has(name)) {
        foreign.length = 0;
        integration = 0;
        hiddenForeign = 0;
        anchors.leaveForeign();
      } else {
        if (!isSelfClosing) {
          foreign.push(name);
          if (INTEGRATION.has(name)) integration++;
          if (HIDDEN_FOREIGN.has(name)) hiddenForeign++;
        }
        if (name === 'style') anchors.skipOpen();
        return;
      }
    } else if (foreign.length > 0 && !VOID.has(name) && !isSelfClosing) {
      foreign.push(name);
    }
    // Inside an SVG/MathML integration point only the links themselves are followed (anchors.ts).
    // Only a link's href and rel are read (attribute objects come in many shapes: no lookups on the others).
    const link = name === 'a' || name === 'area';
    if (foreign.length === 0 || link)
      anchors.start(
        name,
        tagInfo,
        link ? (value(HREF) ?? null) : null,
        link ? (value(REL) ?? null) : null,
        tagNameEnd,
        tagEnd,
        isSelfClosing,
      );
    if (!tagScanned) return;
    switch (name) {
      case 'img':
      case 'image':
        if (templateDepth === 0) {
          audit.imgCount++;
          if ((seen & (1 << ALT)) === 0) audit.imgMissingAlt++;
        }
        break;
      case 'meta':
        out.metas.push({
          name: value(NAME),
          property: value(PROPERTY),
          'http-equiv': value(HTTP_EQUIV),
          itemprop: value(ITEMPROP),
          charset: value(CHARSET),
          content: value(CONTENT),
        });
        break;
      case 'link':
        out.linkEls.push({
          rel: value(REL),
          href: value(HREF),
          type: value(TYPE),
          hreflang: value(HREFLANG),
          sizes: value(SIZES),
          title: value(TITLE),
        });
        break;
      case 'base':
        if (out.baseHref === null && (seen & (1 << HREF)) !== 0) out.baseHref = values[HREF];
        break;
      case 'html':
        if (out.htmlLang === null && (seen & (1 << LANG)) !== 0) out.htmlLang = values[LANG];
        break;
      case 'script':
        if ((seen & (1 << TYPE)) !== 0 && isJsonLdType(values[TYPE])) jsonText = '';
        raw = 'script';
        break;
      case 'title':
        audit.titleCount++;
        if (titleState === 0) titleState = 1;
        raw = 'title';
        break;
      case 'h1':
        if (templateDepth === 0) audit.h1Count++;
        if (h1State === 0) h1State = 1;
        break;
      case 'template':
        templateDepth++;
        break;
      case 'svg':
      case 'math':
        // In a <select> the tag is ignored.
        if (!isSelfClosing && !anchors.inSelect()) {
          foreign.push(name);
          integration = 0;
        }
        break;
      default:
        if (NATIVE_RAW.has(name)) raw = name;
        else if (EXTRA_RAW.has(name)) raw = name;
    }
  }

  /** `info`: the name's infoOf (tree-names.ts). */
  function closeTag(name: string, info: number): void {
    if (foreign.length > 0) {
      const at = foreign.lastIndexOf(name);
      if (at !== -1) {
        for (let i = foreign.length - 1; i >= at; i--) {
          if (INTEGRATION.has(foreign[i])) integration--;
          if (HIDDEN_FOREIGN.has(foreign[i])) hiddenForeign--;
        }
        foreign.length = at;
        if (name === 'style') anchors.skipClose();
        if (at === 0) anchors.leaveForeign();
        // An HTML <a> in an integration point (an SVG <a> is not a link).
        if (name === 'a' && integration > 0) anchors.end(name, info);
        if (name !== 'title') return;
      }
    }
    if (raw !== null && name === raw) {
      if (raw === 'script' && jsonText !== null) {
        out.jsonld.push(jsonText);
        jsonText = null;
      } else if (raw === 'title' && titleState === 1) {
        out.title = titleText;
        titleState = 2;
      }
      raw = null;
      return;
    }
    if (foreign.length > 0) {
      // An end tag naming no open SVG/MathML element is handled as HTML, and may close the <svg>/<math>.
      if (inForeign() && (name === 'p' || name === 'br')) anchors.leaveForeign();
      anchors.end(name, info);
      if (!anchors.foreignOpen()) {
        foreign.length = 0;
        integration = 0;
        hiddenForeign = 0;
      }
    } else anchors.end(name, info);
    switch (name) {
      case 'template':
        if (templateDepth > 0) templateDepth--;
        break;
      case 'h1':
      case 'h2':
      case 'h3':
      case 'h4':
      case 'h5':
      case 'h6':
        if (h1State === 1) {
          out.h1 = h1Text;
          h1State = 2;
        }
        break;
    }
  }

  const tokenizer = new FastTokenizer(
    { decodeEntities: true },
    {
      onopentagname(start, end) {
        audit.boundary();
        // Every name matters: the link emulation (anchors.ts) follows the open elements.
        locate(start, end);
        tagName = nameAt(src, at, at + end - start);
        const info = lastInfo();
        tagInfo = info & (SCAN_OPEN - 1);
        tagScanned = (info & SCAN_OPEN) !== 0;
        tagNameEnd = end;
        wanted = tagScanned ? (WANTED.get(tagName) ?? 0) : 0;
        seen = 0;
        keep = false;
        // No attribute of this element is read: no value's references are decoded.
        tokenizer.skipValue = wanted === 0;
        if (inForeign() && NATIVE_RAW.has(tagName))
          (tokenizer as unknown as TokenizerInternals).isSpecial = false;
      },
      onattribname(start, end) {
        if (wanted === 0) return;
        locate(start, end);
        const k = WANTED_ATTRS.mayBe(src, at, at + end - start)
          ? SLOT.get(nameAt(src, at, at + end - start))
          : undefined;
        // The first attribute of a given name wins.
        keep = k !== undefined && (wanted & ~seen & (1 << k)) !== 0;
        collect = keep && (PRESENCE & (1 << k!)) === 0;
        if (keep) slot = k!;
        tokenizer.skipValue = !collect;
      },
      onattribdata(start, end) {
        if (collect) attrValue += text(start, end);
      },
      onattribentity(cp) {
        if (collect) attrValue += String.fromCodePoint(cp);
      },
      onattribend() {
        if (!keep) return;
        values[slot] = attrValue;
        seen |= 1 << slot;
        attrValue = '';
        keep = false;
        collect = false;
      },
      onopentagend(endIndex) {
        // Most start tags (div, span, li...): HTML content, no rule of the scan's own, only the link emulation.
        if (!tagScanned && foreign.length === 0 && raw === null) {
          anchors.start(tagName, tagInfo, null, null, tagNameEnd, endIndex, false);
          return;
        }
        openTag(tagName, false, endIndex);
        const seq = raw !== null && !inForeign() ? END_SEQ[raw] : undefined;
        if (seq) {
          const t = tokenizer as unknown as TokenizerInternals;
          t.isSpecial = true;
          t.currentSequence = seq;
        }
      },
      onselfclosingtag(endIndex) {
        // HTML ignores the self-closing flag on HTML elements; foreign content honours it.
        openTag(tagName, inForeign() || tagName === 'svg' || tagName === 'math', endIndex);
        // The tokenizer does not enter raw-text mode after `<script/>`: treat the element as closed.
        if (raw !== null) closeTag(raw, infoOf(raw));
      },
      onclosetag(start, end) {
        audit.boundary();
        // Most end tags close the current node: no name lookup then (anchors.ts), unless a rule wants it.
        locate(start, end);
        const from = at;
        const to = at + end - start;
        if (
          foreign.length === 0 &&
          raw === null &&
          !CLOSE_NAMES.mayBe(src, from, to) &&
          anchors.closesTop(src, from, to)
        )
          return;
        const name = nameAt(src, from, to);
        closeTag(name, lastInfo() & (SCAN_OPEN - 1));
      },
      ontext(start, end) {
        // The tokenizer's trailing data after an end tag cut off by the end of the page (`</i  `) starts at -1:
        // no text (the tag is dropped at the end of input). Read, it would be a slice from -1: the page's last
        // character as text, its whole head as bytes.
        if (start < 0) return;
        if (raw === null && foreign.length === 0) {
          // Most text: HTML content outside raw-text elements.
          if (templateDepth === 0 && hiddenForeign === 0) visible(start, end);
          anchors.beforeText(true, anchors.needsWs() && spaceOnly(start, end));
          if ((templateDepth === 0 && h1State === 1) || anchors.wantsText()) addText(text(start, end));
          return;
        }
        if (visibleText()) visible(start, end);
        anchors.beforeText(reconstructs(), anchors.needsWs() && spaceOnly(start, end));
        if (wantsText()) addText(text(start, end));
      },
      ontextentity(cp) {
        if (visibleText()) audit.entity(cp);
        anchors.beforeText(reconstructs(), anchors.needsWs() && isSpaceCode(cp));
        if (wantsText()) addText(String.fromCodePoint(cp));
      },
      oncdata() {
        audit.boundary();
        anchors.markup();
      },
      oncomment() {
        audit.boundary();
        anchors.markup();
      },
      ondeclaration(start, end) {
        audit.boundary();
        anchors.markup();
        anchors.doctype(page.slice(start, end));
      },
      onprocessinginstruction() {
        audit.boundary();
        anchors.markup();
      },
      onend() {},
    },
  );
  while (page.next()) tokenizer.write(page.cur);
  tokenizer.end();

  if (raw === 'script' && jsonText !== null) out.jsonld.push(jsonText);
  if (titleState === 1) out.title = titleText;
  if (h1State === 1) out.h1 = h1Text;
  return out;
}

function isSpaceCode(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 12 || c === 13;
}

function isSpace(html: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isSpaceCode(html.charCodeAt(i))) return false;
  return true;
}

function lower(s: string): string {
  // Tag and attribute names are usually lowercase already; skip the allocation then.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.toLowerCase();
  }
  return s;
}

function isJsonLdType(type: string): boolean {
  return lower(type.trim()) === 'application/ld+json';
}
