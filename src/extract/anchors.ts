/**
 * Links (<a href>, <area href>) as WHATWG tree construction makes them, emulated during the streaming scan
 * (scan.ts) without building a tree. A browser does not keep one <a> per <a> tag: the list of active
 * formatting elements re-creates an <a> closed by a block end tag around the text that follows
 * (`<p><a href=x>a</p><p>b` has two <a> elements), and the adoption agency algorithm splits an <a>
 * around a block (`<a href=x><div>t</a>u</div>`: an empty <a>, then a clone holding "t" inside the
 * <div>). Inlink counts and broken-link sources come from these links, so the emulation follows the
 * standard's steps for them: the stack of open elements (names only), the list of active formatting
 * elements with its markers (td, th, caption, applet, marquee, object, template) and the Noah's Ark
 * clause, reconstruction, the adoption agency (8 outer and 3 inner iterations, clones of formatting
 * elements between), "any other end tag", the insertion modes a link can meet (body, table, table body,
 * row, cell, caption, column group, select, select in table) and foster parenting: an <a> (or a
 * re-created one) inserted in table context is listed before the table's links, as it sits before the
 * table in the tree. Each link's text is the text inserted while it is open (moved with the content the
 * adoption agency moves), in tree order.
 *
 * Bounded, so time and memory stay linear: at most MAX_DEPTH open elements (deeper, the current node is
 * closed before a new element opens), at most MAX_FORMATTING entries in the list of active formatting elements (the oldest
 * is dropped; the standard's Noah's Ark clause already bounds identical entries to 3), text fostered before a table put in place only in links of
 * up to MAX_INSERT characters. Not emulated: template contents' own insertion modes and a few <select>,
 * <colgroup>, <frameset> and SVG/MathML corners (test/extract/DIFFERENCES.md).
 */

import type { PageText } from './page-text.js';
import {
  BLOCK_END_TAG,
  DROPS_LF,
  FORMATTING,
  HEAD_TAG,
  HEADING,
  IMPLIED,
  IMPLIED_THOROUGH,
  IN_BUTTON,
  IN_LIST,
  IN_TABLE,
  INSERT_STEPS,
  infoOf,
  Kind,
  kindOf,
  NOT_FRAMESET,
  OPTION,
  OWN_END,
  SCOPE,
  SIMPLE_END,
  SPECIAL,
  TABLE_ISH,
} from './tree-names.js';

export interface RawAnchor {
  /** The href attribute as written (entity-decoded). */
  href: string;
  /** Text content, excluding script/style/noscript/template content, not collapsed. */
  text: string;
  rel: string | null;
  tag: 'a' | 'area';
}

/**
 * Open elements tracked at most (the standard has no limit; Blink's parser nests 512 deep at most): deeper, the
 * current node is closed before a new element opens.
 */
export const MAX_DEPTH = 512;
/** Entries in the list of active formatting elements at most (markers included). */
export const MAX_FORMATTING = 256;
/** Link text length up to which text foster-parented before a table is put in place (see insertBefore). */
export const MAX_INSERT = 4096;

// Insertion modes.
const BODY = 0;
const TABLE = 1;
const TBODY = 2;
const ROW = 3;
const CELL = 4;
const CAPTION = 5;
const COLGROUP = 6;
const SELECT = 7;
const SELECT_TABLE = 8;
/** A <frameset> document: nothing after it is a link (<noframes> is raw text). */
const FRAMESET = 9;

// Scopes.
const DEFAULT_SCOPE = 0;
const BUTTON_SCOPE = 1;
const LIST_SCOPE = 2;
const TABLE_SCOPE = 3;
const SELECT_SCOPE = 4;

/** No links (an object array, like every other element's `anchors`: one elements kind at their loads). */
const NONE: El[] = objectArray<El>();
/** aroundAt of every element but a table inside links (never written). */
const NO_AT: number[] = [];

/**
 * An open (or once open) element. Its fields are declared, not initialized, and all set in the constructor, in
 * one order: one allocation with plain stores per start tag (class field initializers define each property).
 * One is made per start tag, so it holds only what most elements need: a table's links (`around`), the
 * adoption agency's recomputation rounds and shift's marks are kept in the tree's maps and sets instead.
 */
class El {
  declare open: boolean;
  declare inList: boolean;
  declare anchor: RawAnchor | null;
  /** Index in the output where the links of this element's subtree begin (and a new child's link goes). */
  declare at: number;
  /** The text counter when this element opened: the text inserted in it since is the last `chars - mark`. */
  declare mark: number;
  /** The table this element was foster-parented before (inherited by its descendants), if any. */
  declare foster: El | null;
  /** The parent in the tree (an element closed since, or moved by the adoption agency, still counts). */
  declare parent: El | null;
  /** The links this element is inside, itself included: where text inserted into it goes. */
  declare anchors: El[];
  declare name: string;
  /** Where its start tag's attributes are in the page, for the Noah's Ark comparison and clones (sigOf). */
  declare sigStart: number;
  declare sigEnd: number;
  /** Its infoOf: the flags (SPECIAL, FORMATTING...) and which scopes it bounds (IN_BUTTON, IN_LIST, IN_TABLE;
   * OPTION: passed by select scope). */
  declare flags: number;
  constructor(name: string, sigStart: number, sigEnd: number, info: number) {
    this.open = false;
    this.inList = false;
    this.anchor = null;
    this.at = 0;
    this.mark = 0;
    this.foster = null;
    this.parent = null;
    this.anchors = NONE;
    this.name = name;
    this.sigStart = sigStart;
    this.sigEnd = sigEnd;
    this.flags = info;
  }

  /**
   * Makes a closed, unreferenced element (see AnchorTree.free) new again, for insert(), which sets the other
   * fields (open, at, mark, foster, parent, anchors).
   */
  reset(name: string, sigStart: number, sigEnd: number, info: number): void {
    this.inList = false;
    this.anchor = null;
    this.name = name;
    this.sigStart = sigStart;
    this.sigEnd = sigEnd;
    this.flags = info;
  }
}

/** Elements kept for reuse at most (see AnchorTree.free). */
const MAX_FREE = 64;

export class AnchorTree {
  private readonly stack: El[] = objectArray<El>();
  /**
   * Popped elements that nothing refers to any more, reused by insertTag (one allocation fewer per start tag).
   * Only elements that are neither formatting elements (the list and clones keep those), nor the form element
   * pointer's, nor have steps of their own (INSERT_STEPS: links, tables, which `foster` and tableLinks keep,
   * templates, p). A popped element has no open descendant (children sit above their parent in the stack,
   * foster-parented ones and the adoption agency's moves included), so no open element's parent chain reaches
   * it; closed descendants' parents are never read; `target` is set anew before every text token; a stale
   * `gens` entry is from an earlier adoption round, never equal to the current one.
   */
  private readonly free: El[] = objectArray<El>();
  /** The list of active formatting elements; null is a marker. */
  private readonly list: (El | null)[] = objectArray<El | null>();
  /** Where the text token being processed goes, and the table it is foster-parented before (beforeText). */
  private target: El;
  private fosterBy: El | null = null;
  private skipLF = false;
  private dropLF = false;
  /** Open tables inside links (their `around`). */
  private readonly tables: El[] = [];
  private gen = 0;
  /** Per element, the adoption agency round its `anchors` were last computed in (none: round 0). */
  private readonly gens = new Map<El, number>();
  /** A table's inside links: the links it is inside, and where in each one's text the content fostered before it goes. */
  private readonly tableLinks = new Map<El, TableLinks>();
  private mode = BODY;
  private readonly templateModes: number[] = [];
  private form: El | null = null;
  private quirks = true;
  private sawElement = false;
  private bodyStarted = false;
  private framesetOk = true;
  /** Open <p> elements (most block start tags ask whether one is in scope). */
  private pOpen = 0;
  /** Characters of link text inserted so far (see El.mark). */
  private chars = 0;
  private skip = 0;
  // The start tag being processed (kept across reprocessing).
  private tName = '';
  private tHref: string | null = null;
  private tRel: string | null = null;
  private tInfo = 0;
  private tSigStart = 0;
  private tSigEnd = 0;
  private tSelfClosing = false;
  /** The end tag being processed: its infoOf. */
  private eInfo = 0;

  constructor(
    private readonly out: RawAnchor[],
    /** The page as the scan reads it (attributes are sliced from it for the Noah's Ark clause). */
    private readonly page: PageText,
  ) {
    this.insert(new El('html', 0, 0, infoOf('html')), false);
    this.insert(new El('body', 0, 0, infoOf('body')), false);
    this.target = this.top();
  }

  /** A comment, DOCTYPE, CDATA section or processing instruction: the token after a <pre> is not its newline. */
  markup(): void {
    this.skipLF = false;
  }

  /** `<!DOCTYPE ...>` (the text between `<!` and `>`): decides quirks mode, which keeps <p> open at <table>. */
  doctype(decl: string): void {
    if (this.sawElement) return;
    this.quirks = isQuirks(decl);
  }

  /**
   * An HTML start tag (inside SVG/MathML, only <a>/<area> in integration points are given);
   * html[attrStart, attrEnd) holds its attributes.
   */
  start(
    name: string,
    /** infoOf(name). */
    info: number,
    href: string | null,
    rel: string | null,
    attrStart: number,
    attrEnd: number,
    selfClosing: boolean,
  ): void {
    this.sawElement = true;
    if (this.mode === FRAMESET) return;
    if (!this.bodyStarted) {
      if (name === 'frameset') {
        this.mode = FRAMESET;
        return;
      }
      if ((info & HEAD_TAG) === 0) this.bodyStarted = true;
    }
    if (this.framesetOk && (info & NOT_FRAMESET) !== 0) this.framesetOk = false;
    this.tName = name;
    this.tInfo = info;
    this.tHref = href;
    this.tRel = rel;
    this.tSigStart = attrStart;
    this.tSigEnd = attrEnd;
    this.tSelfClosing = selfClosing;
    // A newline just after <pre>, <listing> or <textarea> is dropped.
    this.skipLF = (info & DROPS_LF) !== 0;
    // In body (most start tags), straight to its rules.
    if (this.mode === BODY) this.startBody(false);
    else this.startIn(this.mode);
  }

  /**
   * The common case of an end tag, `html[start, end)`, in a few comparisons: it names the current node, whose
   * end tag only pops it. False: not handled, call end().
   */
  closesTop(html: string, start: number, end: number): boolean {
    this.skipLF = false;
    // In table, table body, row, cell and caption modes such an end tag too goes by the "in body" rules
    // (a table-related name is never simple); not in column group, select or frameset modes.
    if (this.mode > CAPTION) return false;
    const top = this.top();
    const n = top.name;
    if (!isSimple(top.flags) || n.length !== end - start) return false;
    for (let i = 0; i < n.length; i++) {
      const c = html.charCodeAt(start + i);
      if ((c >= 65 && c <= 90 ? c + 32 : c) !== n.charCodeAt(i)) return false;
    }
    this.pop();
    if (top.inList) this.unlist(top);
    return true;
  }

  /** An element's start tag attributes as written (the Noah's Ark clause compares them). */
  private sigOf(el: El): string {
    let s = this.page.slice(el.sigStart, el.sigEnd).trim();
    if (s.endsWith('/')) s = s.slice(0, -1).trim();
    return s;
  }

  /** An HTML end tag (not the end of a raw-text element); `info`: infoOf(name). */
  end(name: string, info: number = infoOf(name)): void {
    this.skipLF = false;
    if (this.mode === FRAMESET) return;
    if (name === 'body' || name === 'html' || name === 'br') this.bodyStarted = true;
    this.eInfo = info;
    this.endIn(this.mode, name);
  }

  /** SVG/MathML content ended by an HTML "breakout" tag or by its root's end tag. */
  leaveForeign(): void {
    for (let i = this.stack.length - 1; i >= 2; i--) {
      const n = this.stack[i].name;
      if (n === 'svg' || n === 'math') {
        while (this.stack.length > i) this.pop();
        return;
      }
    }
  }

  /**
   * Whether beforeText needs to know if the text is all whitespace: table text (whitespace there re-creates
   * nothing), or text that may start the body or end the chance of a <frameset>.
   */
  needsWs(): boolean {
    return (
      this.framesetOk ||
      this.mode === COLGROUP ||
      ((this.mode === TABLE || this.mode === TBODY || this.mode === ROW) &&
        (this.top().flags & TABLE_ISH) !== 0)
    );
  }

  /** Whether the parser is in a <select> (where most start tags are ignored). */
  inSelect(): boolean {
    return this.mode === SELECT || this.mode === SELECT_TABLE;
  }

  /** Whether an <svg> or <math> is still open (an HTML end tag inside it may have closed it). */
  foreignOpen(): boolean {
    for (let i = this.stack.length - 1; i >= 2; i--) {
      const n = this.stack[i].name;
      if (n === 'svg' || n === 'math') return true;
    }
    return false;
  }

  /**
   * A text token is about to be inserted: re-creates the formatting elements it goes into. `reconstructs`
   * is false in raw text (title, textarea, script...) and foreign content; `ws`: the token is all whitespace.
   */
  beforeText(reconstructs: boolean, ws: boolean): void {
    this.dropLF = this.skipLF;
    this.skipLF = false;
    if (this.mode === FRAMESET || (!this.bodyStarted && ws)) {
      this.target = this.stack[0];
      this.fosterBy = null;
      return;
    }
    if (!ws) {
      this.bodyStarted = true;
      this.framesetOk = false;
    }
    if (this.mode === COLGROUP && !ws && this.top().name === 'colgroup') {
      // Not whitespace: the column group ends, the text is table text.
      this.pop();
      this.mode = TABLE;
    }
    if (reconstructs && this.list.length > 0)
      switch (this.mode) {
        case SELECT:
        case SELECT_TABLE:
        case COLGROUP:
          break;
        case TABLE:
        case TBODY:
        case ROW:
          if (!ws || (this.top().flags & TABLE_ISH) === 0) this.reconstruct(true);
          break;
        default:
          this.reconstruct(false);
      }
    // Text in table context (and a raw-text element there) is foster-parented: it goes before the table;
    // whitespace there stays in the table.
    const top = this.top();
    const table = (top.flags & TABLE_ISH) !== 0 && !ws ? this.lastTable() : null;
    this.target = table?.parent ?? top;
    this.fosterBy = table ?? this.target.foster;
  }

  /** Whether the text token would be added to a link (else the scan need not slice it). */
  wantsText(): boolean {
    return this.skip === 0 && this.target.anchors.length > 0;
  }

  text(s: string): void {
    if (this.skip !== 0) return;
    if (this.dropLF) {
      this.dropLF = false;
      if (s.charCodeAt(0) === 10) s = s.slice(1);
    }
    const chain = this.target.anchors;
    if (chain.length === 0) return;
    const table = this.fosterBy;
    const around = table === null ? NONE : this.aroundOf(table).around;
    for (const el of chain) {
      const j = around === NONE ? -1 : around.indexOf(el);
      if (j < 0) el.anchor!.text += s;
      else this.insertBefore(table!, j, s);
    }
    this.chars += s.length;
  }

  /**
   * Text foster-parented before `table` goes, in the links around the table (`table.around[j]`), before
   * the table's own content: at the position kept for it (links of up to MAX_INSERT characters; longer
   * ones get it at the end, so an insertion never costs more than that).
   */
  private insertBefore(table: El, j: number, s: string): void {
    const links = this.aroundOf(table);
    const link = links.around[j];
    const a = link.anchor!;
    const pos = links.aroundAt[j];
    if (a.text.length > MAX_INSERT) {
      a.text += s;
      return;
    }
    a.text = a.text.slice(0, pos) + s + a.text.slice(pos);
    for (const t of this.tables) {
      const tl = this.aroundOf(t);
      const k = t === table ? j : tl.around.indexOf(link);
      if (k >= 0 && (t === table || tl.aroundAt[k] >= pos)) tl.aroundAt[k] += s.length;
    }
  }

  /** A table's inside links; none for any other element (NONE, never written). */
  private aroundOf(table: El): TableLinks {
    return this.tableLinks.get(table) ?? NO_LINKS;
  }

  /** An SVG <style>: its text is no link text. */
  skipOpen(): void {
    this.skip++;
  }

  skipClose(): void {
    if (this.skip > 0) this.skip--;
  }

  // --- insertion modes -------------------------------------------------------------------------------

  private startIn(mode: number): void {
    const name = this.tName;
    switch (mode) {
      case TABLE:
        this.startTable(name);
        return;
      case TBODY:
        switch (name) {
          case 'tr':
            this.clearTo(TBODY);
            this.insertTag('tr');
            this.mode = ROW;
            return;
          case 'th':
          case 'td':
            this.clearTo(TBODY);
            this.insertTag('tr');
            this.mode = ROW;
            this.startIn(ROW);
            return;
          case 'caption':
          case 'col':
          case 'colgroup':
          case 'tbody':
          case 'tfoot':
          case 'thead':
            if (!this.anyTbodyInTableScope()) return;
            this.clearTo(TBODY);
            this.pop();
            this.mode = TABLE;
            this.startIn(TABLE);
            return;
        }
        this.startTable(name);
        return;
      case ROW:
        switch (name) {
          case 'th':
          case 'td':
            this.clearTo(ROW);
            this.insertTag(name);
            this.mode = CELL;
            this.pushMarker();
            return;
          case 'caption':
          case 'col':
          case 'colgroup':
          case 'tbody':
          case 'tfoot':
          case 'thead':
          case 'tr':
            if (!this.inScope('tr', TABLE_SCOPE)) return;
            this.closeRow();
            this.startIn(TBODY);
            return;
        }
        this.startTable(name);
        return;
      case CELL:
        switch (name) {
          case 'caption':
          case 'col':
          case 'colgroup':
          case 'tbody':
          case 'td':
          case 'tfoot':
          case 'th':
          case 'thead':
          case 'tr':
            if (!this.inScope('td', TABLE_SCOPE) && !this.inScope('th', TABLE_SCOPE)) return;
            this.closeCell();
            this.startIn(ROW);
            return;
        }
        this.startBody(false);
        return;
      case CAPTION:
        switch (name) {
          case 'caption':
          case 'col':
          case 'colgroup':
          case 'tbody':
          case 'td':
          case 'tfoot':
          case 'th':
          case 'thead':
          case 'tr':
            if (!this.inScope('caption', TABLE_SCOPE)) return;
            this.closeCaption();
            this.startIn(TABLE);
            return;
        }
        this.startBody(false);
        return;
      case COLGROUP:
        if (name === 'col' || name === 'template' || name === 'html') {
          this.startBody(false);
          return;
        }
        if (this.top().name !== 'colgroup') return;
        this.pop();
        this.mode = TABLE;
        this.startIn(TABLE);
        return;
      case SELECT_TABLE:
        switch (name) {
          case 'caption':
          case 'table':
          case 'tbody':
          case 'tfoot':
          case 'thead':
          case 'tr':
          case 'td':
          case 'th':
            this.popUntil('select');
            this.resetMode();
            this.startIn(this.mode);
            return;
        }
        this.startSelect(name);
        return;
      case SELECT:
        this.startSelect(name);
        return;
      default:
        this.startBody(false);
        return;
    }
  }

  private startTable(name: string): void {
    switch (name) {
      case 'caption':
        this.clearTo(TABLE);
        this.pushMarker();
        this.insertTag('caption');
        this.mode = CAPTION;
        return;
      case 'colgroup':
        this.clearTo(TABLE);
        this.insertTag('colgroup');
        this.mode = COLGROUP;
        return;
      case 'col':
        this.clearTo(TABLE);
        this.insertTag('colgroup');
        this.mode = COLGROUP;
        this.startIn(COLGROUP);
        return;
      case 'tbody':
      case 'tfoot':
      case 'thead':
        this.clearTo(TABLE);
        this.insertTag(name);
        this.mode = TBODY;
        return;
      case 'td':
      case 'th':
      case 'tr':
        this.clearTo(TABLE);
        this.insertTag('tbody');
        this.mode = TBODY;
        this.startIn(TBODY);
        return;
      case 'table':
        if (!this.inScope('table', TABLE_SCOPE)) return;
        this.popUntil('table');
        this.resetMode();
        this.startIn(this.mode);
        return;
      case 'style':
      case 'script':
      case 'template':
      case 'input':
        this.startBody(false);
        return;
      case 'form':
        if (this.form !== null || this.has('template')) return;
        this.form = new El('form', 0, 0, infoOf('form'));
        return;
    }
    this.startBody(true);
  }

  private startSelect(name: string): void {
    switch (name) {
      case 'option':
        if (this.top().name === 'option') this.pop();
        this.insertTag(name);
        return;
      case 'optgroup':
        if (this.top().name === 'option') this.pop();
        if (this.top().name === 'optgroup') this.pop();
        this.insertTag(name);
        return;
      case 'select':
        if (!this.inScope('select', SELECT_SCOPE)) return;
        this.popUntil('select');
        this.resetMode();
        return;
      case 'input':
      case 'keygen':
      case 'textarea':
        if (!this.inScope('select', SELECT_SCOPE)) return;
        this.popUntil('select');
        this.resetMode();
        this.startIn(this.mode);
        return;
      case 'script':
      case 'template':
        this.startBody(false);
        return;
    }
  }

  /** The "in body" rules for a start tag; `foster`: inserted from table context (foster parenting). */
  private startBody(foster: boolean): void {
    const name = this.tName;
    switch ((this.tInfo >> 8) & 0xff) {
      case Kind.Ignore:
        if (name === 'frameset' && this.framesetOk) {
          // The body and all its links are replaced by the frameset.
          this.out.length = 0;
          this.mode = FRAMESET;
        }
        return;
      case Kind.Inert:
        return;
      case Kind.Template:
        this.insertTag(name);
        this.pushMarker();
        this.templateModes.push(this.mode);
        this.mode = BODY;
        return;
      case Kind.Block:
      case Kind.Plaintext:
        this.closePInButtonScope();
        this.insertTag(name, foster);
        return;
      case Kind.Heading:
        this.closePInButtonScope();
        if (this.top().flags & HEADING) this.pop();
        this.insertTag(name, foster);
        return;
      case Kind.Form: {
        const inTemplate = this.has('template');
        if (this.form !== null && !inTemplate) return;
        this.closePInButtonScope();
        const el = this.insertTag(name, foster);
        if (!inTemplate) this.form = el;
        return;
      }
      case Kind.Li:
      case Kind.DdDt:
        this.closeListItem(name);
        this.closePInButtonScope();
        this.insertTag(name, foster);
        return;
      case Kind.Button:
        if (this.inScope('button', DEFAULT_SCOPE)) {
          this.impliedEnd(null);
          this.popUntil('button');
        }
        this.reconstruct(foster);
        this.insertTag(name, foster);
        return;
      case Kind.A: {
        const list = this.list;
        for (let i = list.length - 1; i >= 0; i--) {
          const e = list[i];
          if (e === null) break;
          if (e.name === 'a') {
            this.adopt('a', foster);
            if (e.inList) this.unlist(e);
            if (e.open) this.removeAt(this.stack.lastIndexOf(e));
            break;
          }
        }
        this.reconstruct(foster);
        this.pushFormatting(
          this.insertTag(name, foster, this.tHref, this.tRel, this.tSigStart, this.tSigEnd),
        );
        return;
      }
      case Kind.Formatting:
        this.reconstruct(foster);
        this.pushFormatting(this.insertTag(name, foster, null, null, this.tSigStart, this.tSigEnd));
        return;
      case Kind.Nobr:
        this.reconstruct(foster);
        if (this.inScope('nobr', DEFAULT_SCOPE)) {
          this.adopt('nobr', foster);
          this.reconstruct(foster);
        }
        this.pushFormatting(this.insertTag(name, foster, null, null, this.tSigStart, this.tSigEnd));
        return;
      case Kind.MarkerElement:
        this.reconstruct(foster);
        this.insertTag(name, foster);
        this.pushMarker();
        return;
      case Kind.Table:
        if (!this.quirks) this.closePInButtonScope();
        this.insertTag(name, foster);
        this.mode = TABLE;
        return;
      case Kind.VoidReconstruct:
        this.reconstruct(foster);
        if (name === 'area' && this.tHref !== null) {
          const top = this.top();
          const parent = foster && (top.flags & TABLE_ISH) !== 0 ? (this.lastTable()?.parent ?? top) : top;
          this.emit(
            { href: this.tHref, text: '', rel: this.tRel, tag: 'area' },
            this.parentFoster(foster),
            parent,
          );
        }
        return;
      case Kind.Hr:
        this.closePInButtonScope();
        return;
      case Kind.Xmp:
        this.closePInButtonScope();
        this.reconstruct(foster);
        return;
      case Kind.Select:
        this.reconstruct(foster);
        this.insertTag(name, foster);
        this.mode = this.mode >= TABLE && this.mode <= CAPTION ? SELECT_TABLE : SELECT;
        return;
      case Kind.Option:
        if (this.top().name === 'option') this.pop();
        this.reconstruct(foster);
        this.insertTag(name, foster);
        return;
      case Kind.RubyBase:
      case Kind.RubyText:
        if (this.inScope('ruby', DEFAULT_SCOPE))
          this.impliedEnd(kindOf(name) === Kind.RubyText ? 'rtc' : null);
        this.insertTag(name, foster);
        return;
      case Kind.Foreign:
        this.reconstruct(foster);
        if (!this.tSelfClosing) this.insertTag(name, foster);
        return;
      default:
        this.reconstruct(foster);
        this.insertTag(name, foster);
    }
  }

  private endIn(mode: number, name: string): void {
    switch (mode) {
      case TABLE:
        this.endTable(name);
        return;
      case TBODY:
        switch (name) {
          case 'tbody':
          case 'tfoot':
          case 'thead':
            if (!this.inScope(name, TABLE_SCOPE)) return;
            this.clearTo(TBODY);
            this.pop();
            this.mode = TABLE;
            return;
          case 'table':
            if (!this.anyTbodyInTableScope()) return;
            this.clearTo(TBODY);
            this.pop();
            this.mode = TABLE;
            this.endIn(TABLE, name);
            return;
          case 'body':
          case 'caption':
          case 'col':
          case 'colgroup':
          case 'html':
          case 'td':
          case 'th':
          case 'tr':
            return;
        }
        this.endTable(name);
        return;
      case ROW:
        switch (name) {
          case 'tr':
            if (this.inScope('tr', TABLE_SCOPE)) this.closeRow();
            return;
          case 'table':
            if (!this.inScope('tr', TABLE_SCOPE)) return;
            this.closeRow();
            this.endIn(TBODY, name);
            return;
          case 'tbody':
          case 'tfoot':
          case 'thead':
            if (!this.inScope(name, TABLE_SCOPE) || !this.inScope('tr', TABLE_SCOPE)) return;
            this.closeRow();
            this.endIn(TBODY, name);
            return;
          case 'body':
          case 'caption':
          case 'col':
          case 'colgroup':
          case 'html':
          case 'td':
          case 'th':
            return;
        }
        this.endTable(name);
        return;
      case CELL:
        switch (name) {
          case 'td':
          case 'th':
            if (!this.inScope(name, TABLE_SCOPE)) return;
            this.closeCell();
            return;
          case 'body':
          case 'caption':
          case 'col':
          case 'colgroup':
          case 'html':
            return;
          case 'table':
          case 'tbody':
          case 'tfoot':
          case 'thead':
          case 'tr':
            if (!this.inScope(name, TABLE_SCOPE)) return;
            this.closeCell();
            this.endIn(ROW, name);
            return;
        }
        this.endBody(name, false);
        return;
      case CAPTION:
        switch (name) {
          case 'caption':
            if (this.inScope('caption', TABLE_SCOPE)) this.closeCaption();
            return;
          case 'table':
            if (!this.inScope('caption', TABLE_SCOPE)) return;
            this.closeCaption();
            this.endIn(TABLE, name);
            return;
          case 'body':
          case 'col':
          case 'colgroup':
          case 'html':
          case 'tbody':
          case 'td':
          case 'tfoot':
          case 'th':
          case 'thead':
          case 'tr':
            return;
        }
        this.endBody(name, false);
        return;
      case COLGROUP:
        if (name === 'col') return;
        if (name === 'template') {
          this.endBody(name, false);
          return;
        }
        if (this.top().name !== 'colgroup') return;
        this.pop();
        this.mode = TABLE;
        if (name !== 'colgroup') this.endIn(TABLE, name);
        return;
      case SELECT_TABLE:
        switch (name) {
          case 'caption':
          case 'table':
          case 'tbody':
          case 'tfoot':
          case 'thead':
          case 'tr':
          case 'td':
          case 'th':
            if (!this.inScope(name, TABLE_SCOPE)) return;
            this.popUntil('select');
            this.resetMode();
            this.endIn(this.mode, name);
            return;
        }
        this.endSelect(name);
        return;
      case SELECT:
        this.endSelect(name);
        return;
      default:
        this.endBody(name, false);
        return;
    }
  }

  private endTable(name: string): void {
    switch (name) {
      case 'table':
        if (!this.inScope('table', TABLE_SCOPE)) return;
        this.popUntil('table');
        this.resetMode();
        return;
      case 'body':
      case 'caption':
      case 'col':
      case 'colgroup':
      case 'html':
      case 'tbody':
      case 'td':
      case 'tfoot':
      case 'th':
      case 'thead':
      case 'tr':
        return;
      case 'template':
        this.endBody(name, false);
        return;
    }
    this.endBody(name, true);
  }

  private endSelect(name: string): void {
    switch (name) {
      case 'optgroup': {
        const s = this.stack;
        if (this.top().name === 'option' && s[s.length - 2].name === 'optgroup') this.pop();
        if (this.top().name === 'optgroup') this.pop();
        return;
      }
      case 'option':
        if (this.top().name === 'option') this.pop();
        return;
      case 'select':
        if (!this.inScope('select', SELECT_SCOPE)) return;
        this.popUntil('select');
        this.resetMode();
        return;
      case 'template':
        this.endBody(name, false);
        return;
    }
  }

  /** The "in body" rules for an end tag (always the one end() was given). */
  private endBody(name: string, foster: boolean): void {
    const info = this.eInfo;
    if (info & BLOCK_END_TAG) {
      if (!this.inScope(name, DEFAULT_SCOPE)) return;
      this.impliedEnd(null);
      this.popUntil(name);
      return;
    }
    const flags = info & 0xff;
    if (flags & FORMATTING) {
      this.adopt(name, foster);
      return;
    }
    if (flags & HEADING) {
      for (let i = this.stack.length - 1; i >= 0; i--) {
        const e = this.stack[i];
        if (e.flags & HEADING) {
          this.impliedEnd(null);
          while ((this.pop().flags & HEADING) === 0) {}
          return;
        }
        if (e.flags & SCOPE) return;
      }
      return;
    }
    if ((info & OWN_END) === 0) {
      this.anyOtherEnd(name);
      return;
    }
    switch (name) {
      case 'p':
        if (this.pOpen > 0 && this.inScope('p', BUTTON_SCOPE)) this.closeP();
        return;
      case 'li':
        if (!this.inScope('li', LIST_SCOPE)) return;
        this.impliedEnd('li');
        this.popUntil('li');
        return;
      case 'dd':
      case 'dt':
        if (!this.inScope(name, DEFAULT_SCOPE)) return;
        this.impliedEnd(name);
        this.popUntil(name);
        return;
      case 'form': {
        if (this.has('template')) {
          if (!this.inScope('form', DEFAULT_SCOPE)) return;
          this.impliedEnd(null);
          this.popUntil('form');
          return;
        }
        const node = this.form;
        this.form = null;
        if (node === null || !node.open || !this.elementInScope(node)) return;
        this.impliedEnd(null);
        this.removeAt(this.stack.lastIndexOf(node));
        return;
      }
      case 'applet':
      case 'marquee':
      case 'object':
        if (!this.inScope(name, DEFAULT_SCOPE)) return;
        this.impliedEnd(null);
        this.popUntil(name);
        this.clearToMarker();
        return;
      case 'br':
        this.reconstruct(foster);
        return;
      case 'template':
        if (!this.has('template')) return;
        this.impliedEnd(null, true);
        this.popUntil('template');
        this.clearToMarker();
        this.mode = this.templateModes.pop() ?? BODY;
        return;
      case 'body':
      case 'html':
        return;
    }
    this.anyOtherEnd(name);
  }

  // --- the algorithms ----------------------------------------------------------------------------------

  /** The adoption agency algorithm for `subject` (a formatting element's end tag, or <a>/<nobr> start). */
  private adopt(subject: string, foster: boolean): void {
    const stack = this.stack;
    const list = this.list;
    const top = this.top();
    if (top.name === subject && !top.inList) {
      this.pop();
      return;
    }
    for (let outer = 0; outer < 8; outer++) {
      let fi = list.length - 1;
      let fe: El | null = null;
      for (; fi >= 0; fi--) {
        const e = list[fi];
        if (e === null) break;
        if (e.name === subject) {
          fe = e;
          break;
        }
      }
      if (fe === null) {
        this.anyOtherEnd(subject);
        return;
      }
      if (!fe.open) {
        this.unlist(fe);
        return;
      }
      if (!this.elementInScope(fe)) return;
      const feIdx = stack.lastIndexOf(fe);
      let fbIdx = feIdx + 1;
      while (fbIdx < stack.length && (stack[fbIdx].flags & SPECIAL) === 0) fbIdx++;
      if (fbIdx === stack.length) {
        while (this.pop() !== fe) {}
        this.unlist(fe);
        return;
      }
      const fb = stack[fbIdx];
      const common = stack[feIdx - 1];
      // The furthest block's content (its text: the last `moved` characters of every link it is inside)
      // leaves the links it is no longer inside and goes to the clones it is now inside.
      const oldChain = fb.anchors;
      const moved = this.chars - fb.mark;
      let movedText = '';
      if (moved > 0 && oldChain.length > 0) {
        const t = oldChain[0].anchor!.text;
        movedText = t.slice(Math.max(0, t.length - moved));
      }
      let bookmark = fi;
      const clones: El[] = [];
      let lastNode = fb;
      let idx = fbIdx;
      for (let inner = 1; ; inner++) {
        idx--;
        const node = stack[idx];
        if (node === fe) break;
        let li = node.inList ? list.indexOf(node) : -1;
        if (inner > 3 && li >= 0) {
          list.splice(li, 1);
          node.inList = false;
          if (li < bookmark) bookmark--;
          li = -1;
        }
        if (li < 0) {
          this.removeAt(idx);
          continue;
        }
        const c = this.cloneOf(node);
        list[li] = c;
        node.inList = false;
        stack[idx] = c;
        node.open = false;
        if (lastNode === fb) bookmark = li + 1;
        lastNode.parent = c;
        lastNode = c;
        clones.push(c);
      }
      lastNode.parent = foster && common.flags & TABLE_ISH ? (this.lastTable()?.parent ?? common) : common;
      const fe2 = this.cloneOf(fe);
      fe2.parent = fb;
      fe2.foster = fb.foster;
      list.splice(bookmark, 0, fe2);
      list.splice(list.indexOf(fe), 1);
      fe.inList = false;
      this.removeAt(stack.lastIndexOf(fe));
      const fbNow = stack.lastIndexOf(fb);
      for (let i = fbNow + 1; i < stack.length; i++) if (stack[i].parent === fb) stack[i].parent = fe2;
      stack.splice(fbNow + 1, 0, fe2);
      fe2.open = true;
      this.gen++;
      for (let i = feIdx; i < stack.length; i++) this.chain(stack[i]);
      const newChain = fe2.anchors;
      for (const x of oldChain) if (!newChain.includes(x)) lose(x, moved);
      for (const x of newChain) if (!oldChain.includes(x)) x.anchor!.text = movedText;
      // Tree order: the clones wrap the furthest block, the formatting element's clone holds its old content.
      const at0 = fb.at;
      let k = at0;
      const added: RawAnchor[] = [];
      for (let i = clones.length - 1; i >= 0; i--) {
        clones[i].at = k;
        const a = clones[i].anchor;
        if (a !== null) {
          added.push(a);
          k++;
        }
      }
      fb.at = k;
      fe2.at = k;
      if (fe2.anchor !== null) added.push(fe2.anchor);
      if (added.length > 0) {
        this.out.splice(at0, 0, ...added);
        // The new elements' positions are set above; every other open element after them moves.
        const keep = clones.map((c) => c.at);
        this.shift(at0, added.length, fb.parent);
        clones.forEach((c, i) => {
          c.at = keep[i];
        });
        fb.at = k;
        fe2.at = k;
      }
    }
  }

  /** Recomputes an element's `anchors` from its parent's (after the adoption agency moved elements). */
  private chain(el: El): El[] {
    if ((this.gens.get(el) ?? 0) === this.gen) return el.anchors;
    this.gens.set(el, this.gen);
    const p = el.parent;
    // Open parents sit lower in the stack: already recomputed, or unchanged.
    const up = p === null ? NONE : p.open ? p.anchors : this.chain(p);
    el.anchors = el.name === 'template' ? NONE : el.anchor !== null ? [...up, el] : up;
    return el.anchors;
  }

  private cloneOf(node: El): El {
    const c = new El(node.name, node.sigStart, node.sigEnd, node.flags);
    c.open = true;
    c.inList = true;
    c.foster = node.foster;
    c.mark = this.chars;
    if (node.anchor !== null) c.anchor = { href: node.anchor.href, text: '', rel: node.anchor.rel, tag: 'a' };
    return c;
  }

  /** Reconstructs the active formatting elements. */
  private reconstruct(foster: boolean): void {
    const list = this.list;
    const n = list.length;
    if (n === 0) return;
    const last = list[n - 1];
    if (last === null || last.open) return;
    let i = n - 1;
    while (i > 0) {
      const e = list[i - 1];
      if (e === null || e.open) break;
      i--;
    }
    for (; i < n; i++) {
      const e = list[i]!;
      const c = this.insertTag(
        e.name,
        foster,
        e.anchor?.href ?? null,
        e.anchor?.rel ?? null,
        e.sigStart,
        e.sigEnd,
      );
      e.inList = false;
      c.inList = true;
      list[i] = c;
    }
  }

  /** Pushes an element onto the list of active formatting elements (Noah's Ark clause, then the cap). */
  private pushFormatting(el: El): void {
    const list = this.list;
    let same = 0;
    let first = -1;
    let sig: string | null = null;
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i];
      if (e === null) break;
      if (e.name === el.name && this.sigOf(e) === (sig ??= this.sigOf(el))) {
        same++;
        first = i;
      }
    }
    if (same >= 3) {
      list[first]!.inList = false;
      list.splice(first, 1);
    }
    if (list.length >= MAX_FORMATTING) {
      const e = list.shift();
      if (e) e.inList = false;
    }
    list.push(el);
    el.inList = true;
  }

  private pushMarker(): void {
    if (this.list.length >= MAX_FORMATTING) {
      const e = this.list.shift();
      if (e) e.inList = false;
    }
    this.list.push(null);
  }

  private clearToMarker(): void {
    const list = this.list;
    while (list.length > 0) {
      const e = list.pop();
      if (e === null || e === undefined) return;
      e.inList = false;
    }
  }

  private unlist(el: El): void {
    const list = this.list;
    if (list[list.length - 1] === el) {
      list.pop();
      el.inList = false;
      return;
    }
    const i = list.lastIndexOf(el);
    if (i >= 0) this.list.splice(i, 1);
    el.inList = false;
  }

  /** "Any other end tag": pops up to the nearest open element of that name unless a special one is nearer. */
  private anyOtherEnd(name: string): void {
    const stack = this.stack;
    for (let i = stack.length - 1; i >= 2; i--) {
      const e = stack[i];
      if (e.name === name) {
        this.impliedEnd(name);
        while (stack.length > i) this.pop();
        return;
      }
      if (e.flags & SPECIAL) return;
    }
  }

  private closeListItem(name: string): void {
    const stack = this.stack;
    for (let i = stack.length - 1; i >= 2; i--) {
      const e = stack[i];
      const n = e.name;
      if (name === 'li' ? n === 'li' : n === 'dd' || n === 'dt') {
        this.impliedEnd(n);
        this.popUntil(n);
        return;
      }
      if (e.flags & SPECIAL && n !== 'address' && n !== 'div' && n !== 'p') return;
    }
  }

  private closePInButtonScope(): void {
    if (this.pOpen > 0 && this.inScope('p', BUTTON_SCOPE)) this.closeP();
  }

  private closeP(): void {
    this.impliedEnd('p');
    this.popUntil('p');
  }

  private closeCell(): void {
    this.impliedEnd(null);
    const stack = this.stack;
    while (stack.length > 2) {
      const n = this.pop().name;
      if (n === 'td' || n === 'th') break;
    }
    this.clearToMarker();
    this.mode = ROW;
  }

  private closeRow(): void {
    this.clearTo(ROW);
    this.pop();
    this.mode = TBODY;
  }

  private closeCaption(): void {
    this.impliedEnd(null);
    this.popUntil('caption');
    this.clearToMarker();
    this.mode = TABLE;
  }

  /** Clears the stack back to a table (TABLE), table body (TBODY) or table row (ROW) context. */
  private clearTo(context: number): void {
    for (;;) {
      const n = this.top().name;
      if (n === 'html' || n === 'template') return;
      if (
        context === TABLE
          ? n === 'table'
          : context === TBODY
            ? n === 'tbody' || n === 'tfoot' || n === 'thead'
            : n === 'tr'
      )
        return;
      this.pop();
    }
  }

  private impliedEnd(except: string | null, thorough = false): void {
    const mask = thorough ? IMPLIED | IMPLIED_THOROUGH : IMPLIED;
    for (;;) {
      const top = this.top();
      if ((top.flags & mask) === 0 || top.name === except) return;
      this.pop();
    }
  }

  private resetMode(): void {
    const stack = this.stack;
    for (let i = stack.length - 1; i >= 0; i--) {
      // Every name below has steps of its own at its end tag (none is simple).
      if (isSimple(stack[i].flags)) continue;
      switch (stack[i].name) {
        case 'select':
          for (let j = i - 1; j > 0; j--) {
            const n = stack[j].name;
            if (n === 'template') break;
            if (n === 'table') {
              this.mode = SELECT_TABLE;
              return;
            }
          }
          this.mode = SELECT;
          return;
        case 'td':
        case 'th':
          this.mode = CELL;
          return;
        case 'tr':
          this.mode = ROW;
          return;
        case 'tbody':
        case 'thead':
        case 'tfoot':
          this.mode = TBODY;
          return;
        case 'caption':
          this.mode = CAPTION;
          return;
        case 'colgroup':
          this.mode = COLGROUP;
          return;
        case 'table':
          this.mode = TABLE;
          return;
        case 'template':
        case 'body':
        case 'html':
          this.mode = BODY;
          return;
      }
    }
    this.mode = BODY;
  }

  // --- the stack of open elements -----------------------------------------------------------------------

  private top(): El {
    return this.stack[this.stack.length - 1];
  }

  private insertTag(
    name: string,
    foster = false,
    href: string | null = null,
    rel: string | null = null,
    sigStart = 0,
    sigEnd = 0,
  ): El {
    const info = name === this.tName ? this.tInfo : infoOf(name);
    const free = this.free;
    let el: El;
    if (free.length > 0) {
      el = free.pop()!;
      el.reset(name, sigStart, sigEnd, info);
    } else el = new El(name, sigStart, sigEnd, info);
    this.insert(el, foster, href, rel);
    return el;
  }

  /** The table a new child of the current node is foster-parented before, if any. */
  private parentFoster(foster: boolean): El | null {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) return null;
    if (!foster || (top.flags & TABLE_ISH) === 0) return top.foster;
    return this.lastTable();
  }

  /** Inserts `el`; an <a> with an href is a link (its RawAnchor made here). */
  private insert(el: El, foster: boolean, href: string | null = null, rel: string | null = null): void {
    // Deeper than the cap, the current node is closed first: the new element becomes its sibling.
    const stack = this.stack;
    if (stack.length >= MAX_DEPTH) this.pop();
    // The new element's parent, and the table it is foster-parented before (see parentFoster).
    const top = stack.length > 0 ? stack[stack.length - 1] : null;
    let table: El | null = null;
    let parent = top;
    if (top !== null) {
      if (foster && (top.flags & TABLE_ISH) !== 0) {
        table = this.lastTable();
        parent = table?.parent ?? top;
      } else table = top.foster;
    }
    el.parent = parent;
    el.foster = table;
    el.mark = this.chars;
    const up = parent === null ? NONE : parent.anchors;
    // Only a, p, table and template have steps of their own here (INSERT_STEPS): no name comparisons for the rest.
    const steps = (el.flags & INSERT_STEPS) !== 0;
    if (steps && href !== null && el.name === 'a') {
      el.anchor = { href, text: '', rel, tag: 'a' };
      el.at = this.emit(el.anchor, table, parent);
      el.anchors = withLink(up, el);
    } else {
      el.at = table !== null ? table.at : this.out.length;
      el.anchors = up;
      if (steps) {
        if (el.name === 'p') this.pOpen++;
        else if (el.name === 'template') el.anchors = NONE;
        else if (el.name === 'table' && up.length > 0) {
          this.tableLinks.set(el, { around: up, aroundAt: up.map((x) => x.anchor!.text.length) });
          this.tables.push(el);
        }
      }
    }
    el.open = true;
    stack.push(el);
  }

  /** Adds a link in tree order: last, or before the table it is foster-parented before. */
  private emit(anchor: RawAnchor, table: El | null, parent: El | null): number {
    const out = this.out;
    if (table === null) {
      out.push(anchor);
      return out.length - 1;
    }
    const k = table.at;
    out.splice(k, 0, anchor);
    this.shift(k, 1, parent);
    return k;
  }

  /**
   * `count` links were inserted at output index k inside `parent`: the open elements whose links come
   * after them in tree order (all but `parent` and its ancestors) start later.
   */
  private shift(k: number, count: number, parent: El | null): void {
    const ancestors = new Set<El>();
    for (let p = parent; p !== null; p = p.parent) ancestors.add(p);
    for (const e of this.stack) if (e.at > k || (e.at === k && !ancestors.has(e))) e.at += count;
  }

  /** Pops the current node; the caller may still read it (it is reused only by a later insertTag). */
  private pop(): El {
    const el = this.stack.pop()!;
    this.closed(el);
    if ((el.flags & (FORMATTING | INSERT_STEPS)) === 0 && el !== this.form && this.free.length < MAX_FREE)
      this.free.push(el);
    return el;
  }

  private removeAt(i: number): void {
    const el = this.stack[i];
    this.stack.splice(i, 1);
    this.closed(el);
  }

  private closed(el: El): void {
    el.open = false;
    if ((el.flags & INSERT_STEPS) === 0) return;
    if (el.name === 'p') this.pOpen--;
    else if (this.tables.length > 0 && this.tableLinks.has(el))
      this.tables.splice(this.tables.lastIndexOf(el), 1);
  }

  /** The last table in the stack, unless a template is nearer (its content is not foster-parented). */
  private lastTable(): El | null {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const n = this.stack[i].name;
      if (n === 'template') return null;
      if (n === 'table') return this.stack[i];
    }
    return null;
  }

  /** Pops up to and including the nearest element named `name` (callers know one is open). */
  private popUntil(name: string): void {
    while (this.stack.length > 2 && this.pop().name !== name) {}
  }

  private has(name: string): boolean {
    for (let i = this.stack.length - 1; i >= 2; i--) if (this.stack[i].name === name) return true;
    return false;
  }

  private inScope(name: string, scope: number): boolean {
    const stack = this.stack;
    if (scope === SELECT_SCOPE) {
      for (let i = stack.length - 1; i >= 0; i--) {
        const e = stack[i];
        if (e.name === name) return true;
        if ((e.flags & OPTION) === 0) return false;
      }
      return false;
    }
    const mask = SCOPE_MASK[scope];
    for (let i = stack.length - 1; i >= 0; i--) {
      const e = stack[i];
      if (e.name === name) return true;
      if ((e.flags & mask) !== 0) return false;
    }
    return false;
  }

  private anyTbodyInTableScope(): boolean {
    return (
      this.inScope('tbody', TABLE_SCOPE) ||
      this.inScope('thead', TABLE_SCOPE) ||
      this.inScope('tfoot', TABLE_SCOPE)
    );
  }

  private elementInScope(el: El): boolean {
    const stack = this.stack;
    for (let i = stack.length - 1; i >= 0; i--) {
      const e = stack[i];
      if (e === el) return true;
      if (e.flags & SCOPE) return false;
    }
    return false;
  }
}

/** `up` and then `el`, a new array of that very length (pushes onto `[]` would reserve 17 slots per link). */
function withLink(up: El[], el: El): El[] {
  if (up.length === 0) return [el];
  const out = up.slice();
  out.push(el);
  return out;
}

/**
 * An empty array whose elements are objects from the start: a `[]` holds small integers until its first push,
 * and the push that changes that (every page's first) keeps V8 from inlining the pushes after it.
 */
function objectArray<T>(): T[] {
  const a: (T | null)[] = [null];
  a.pop();
  return a as T[];
}

/** Whether an end tag naming this element, when it is the current node, just pops it (see closesTop). */
function isSimple(flags: number): boolean {
  return flags === 0 || (flags & SIMPLE_END) !== 0;
}

/** The links around a table (see AnchorTree.tableLinks). */
interface TableLinks {
  around: El[];
  aroundAt: number[];
}

const NO_LINKS: TableLinks = { around: NONE, aroundAt: NO_AT };

/** El.bounds bits of each scope's boundary, by scope (select scope is handled apart). */
const SCOPE_MASK = [SCOPE, IN_BUTTON, IN_LIST, IN_TABLE];

/** The element's links lose the last `moved` characters (the furthest block's content moved away). */
function lose(el: El, moved: number): void {
  const a = el.anchor;
  if (a !== null && moved > 0) a.text = a.text.slice(0, Math.max(0, a.text.length - moved));
}

/** Quirks mode from the DOCTYPE (the cases that matter: none, `html`, HTML 4 / 3.2 public ids). */
function isQuirks(decl: string): boolean {
  const d = decl.toLowerCase().replace(/\s+/g, ' ').trim();
  const m = /^doctype ?([^ ]*)(.*)$/.exec(d);
  if (m === null || m[1] !== 'html') return true;
  const rest = m[2].trim();
  if (rest === '') return false;
  const pub = /^public ?["']([^"']*)["'] ?(["'][^"']*["'])?/.exec(rest);
  if (pub === null) return /^system/.test(rest) && rest.includes('ibmxhtml1-transitional.dtd');
  const id = pub[1];
  const hasSystem = pub[2] !== undefined;
  if (id.startsWith('-//w3c//dtd xhtml')) return false;
  if (
    id.startsWith('-//w3c//dtd html 4.01 transitional//') ||
    id.startsWith('-//w3c//dtd html 4.01 frameset//')
  )
    return !hasSystem;
  if (id.startsWith('-//w3c//dtd html 4.01//') || id.startsWith('-//w3c//dtd html 4.0//')) return false;
  return id.startsWith('-//') || id === 'html';
}
