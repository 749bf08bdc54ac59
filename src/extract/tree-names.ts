/**
 * The WHATWG tree-construction categories of HTML tag names that the link emulation (anchors.ts) needs:
 * which start tags close a <p>, reconstruct the active formatting elements, are special (stop the
 * adoption agency and "any other end tag"), bound a scope, are implied-end-tag elements.
 */

/** Element flags (the low 8 bits of infoOf). */
export const SPECIAL = 1;
export const FORMATTING = 2;
/** Boundary of "has an element in scope" (applet caption html table td th marquee object template). */
export const SCOPE = 4;
/** table tbody tfoot thead tr: foster parenting happens below these. */
export const TABLE_ISH = 8;
/** Popped by "generate implied end tags". */
export const IMPLIED = 16;
/** Also popped by "generate all implied end tags thoroughly". */
export const IMPLIED_THOROUGH = 32;
export const HEADING = 64;
/** An end tag naming the current node only pops it (no table, template, form, marker or select steps); also
 * every name in no list here ("any other end tag"). */
export const SIMPLE_END = 128;

const FLAGS = new Map<string, number>();
function flag(names: string, f: number): void {
  for (const n of names.split(' ')) FLAGS.set(n, (FLAGS.get(n) ?? 0) | f);
}
flag(
  'address applet area article aside base basefont bgsound blockquote body br button caption center col colgroup dd details dir div dl dt embed fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe img input keygen li link listing main marquee menu meta nav noembed noframes noscript object ol p param plaintext pre script search section select source style summary table tbody td template textarea tfoot th thead title tr track ul wbr xmp',
  SPECIAL,
);
flag('a b big code em font i nobr s small strike strong tt u', FORMATTING);
flag('applet caption html table td th marquee object template', SCOPE);
flag('table tbody tfoot thead tr', TABLE_ISH);
flag('dd dt li optgroup option p rb rp rt rtc', IMPLIED);
flag('caption colgroup tbody td tfoot th thead tr', IMPLIED_THOROUGH);
flag('h1 h2 h3 h4 h5 h6', HEADING);
for (const n of [...FLAGS.keys()]) FLAGS.set(n, FLAGS.get(n)! | SIMPLE_END);
for (const n of 'html body head form applet marquee object template select option optgroup table tbody tfoot thead tr td th caption colgroup'.split(
  ' ',
))
  FLAGS.set(n, (FLAGS.get(n) ?? 0) & ~SIMPLE_END);

export function flagsOf(name: string): number {
  return (INFO.get(name) ?? 0) & 0xff;
}

/** How the "in body" insertion mode treats a start tag. */
export enum Kind {
  Other = 0,
  Ignore,
  /** Void or raw-text element that neither closes a <p> nor reconstructs: no effect on links. */
  Inert,
  Template,
  /** Closes a <p> in button scope, then is inserted. */
  Block,
  Heading,
  Form,
  Li,
  DdDt,
  Plaintext,
  Button,
  A,
  Formatting,
  Nobr,
  /** applet marquee object: inserted with a marker. */
  MarkerElement,
  Table,
  /** Void elements that reconstruct the formatting elements first (area br embed img ...). */
  VoidReconstruct,
  /** hr: closes a <p>, void. */
  Hr,
  /** xmp: closes a <p>, reconstructs, raw text. */
  Xmp,
  Select,
  Option,
  RubyBase,
  RubyText,
  Foreign,
}

const KINDS = new Map<string, Kind>();
function kind(names: string, k: Kind): void {
  for (const n of names.split(' ')) KINDS.set(n, k);
}
kind('html body frameset caption col colgroup frame head tbody td tfoot th thead tr', Kind.Ignore);
kind(
  'base basefont bgsound link meta title style script noframes param source track textarea iframe noembed noscript',
  Kind.Inert,
);
kind('template', Kind.Template);
kind(
  'address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer header hgroup main menu nav ol p search section summary ul pre listing',
  Kind.Block,
);
kind('h1 h2 h3 h4 h5 h6', Kind.Heading);
kind('form', Kind.Form);
kind('li', Kind.Li);
kind('dd dt', Kind.DdDt);
kind('plaintext', Kind.Plaintext);
kind('button', Kind.Button);
kind('a', Kind.A);
kind('b big code em font i s small strike strong tt u', Kind.Formatting);
kind('nobr', Kind.Nobr);
kind('applet marquee object', Kind.MarkerElement);
kind('table', Kind.Table);
kind('area br embed img image keygen wbr input', Kind.VoidReconstruct);
kind('hr', Kind.Hr);
kind('xmp', Kind.Xmp);
kind('select', Kind.Select);
kind('optgroup option', Kind.Option);
kind('rb rtc', Kind.RubyBase);
kind('rp rt', Kind.RubyText);
kind('svg math', Kind.Foreign);

/** A name's kind and flags in one lookup: `kind << 8 | flags` (0 for a name in no list). */
const INFO = new Map<string, number>();
for (const [n, f] of FLAGS) INFO.set(n, f);
for (const [n, k] of KINDS) INFO.set(n, (INFO.get(n) ?? 0) | (k << 8));

/**
 * Scope boundaries, above the kind (bits 16+ of infoOf), so "has an element in scope" reads one field per
 * open element: the boundary of button scope (SCOPE names and button), of list item scope (SCOPE names, ol,
 * ul), of table scope (html table template); OPTION marks the only names select scope passes (optgroup, option).
 */
export const IN_BUTTON = 1 << 16;
export const IN_LIST = 1 << 17;
export const IN_TABLE = 1 << 18;
export const OPTION = 1 << 19;
/** Start tags that do not begin the body (before it, a <frameset> makes a frameset document). */
export const HEAD_TAG = 1 << 20;
/** Start tags after which a <frameset> is ignored ("frameset-ok" becomes "not ok"). */
export const NOT_FRAMESET = 1 << 21;
/** End tags "in body" closes as blocks (BLOCK_END). */
export const BLOCK_END_TAG = 1 << 22;
/** End tags with steps of their own "in body" (p, li, dd, dt, form, applet, marquee, object, br, template,
 * body, html); every other end tag but formatting, heading and BLOCK_END ones is "any other end tag". */
export const OWN_END = 1 << 23;
const HEAD_NAMES = new Set(
  'html head base basefont bgsound link meta noframes script style template title noscript'.split(' '),
);
const NOT_FRAMESET_NAMES = new Set(
  'body pre listing li dd dt button applet marquee object table area br embed img image keygen wbr input hr textarea xmp iframe select'.split(
    ' ',
  ),
);
/** End tags that close their element when it is in scope ("in body": address, article, ... ul). */
export const BLOCK_END = new Set(
  'address article aside blockquote button center details dialog dir div dl fieldset figcaption figure footer header hgroup listing main menu nav ol pre search section summary ul'.split(
    ' ',
  ),
);
/** Start tags whose next newline is dropped (pre, listing, textarea). */
export const DROPS_LF = 1 << 24;
/** Elements insert() and closed() (anchors.ts) have steps for (a, p, table, template): the others skip them. */
export const INSERT_STEPS = 1 << 25;
const OWN_END_NAMES = new Set('p li dd dt form applet marquee object br template body html'.split(' '));
for (const n of [...HEAD_NAMES, ...NOT_FRAMESET_NAMES, ...BLOCK_END, ...OWN_END_NAMES])
  if (!INFO.has(n)) throw new Error(`tree-names: ${n}`);
for (const [n, i] of INFO) {
  let b = 0;
  if (i & SCOPE || n === 'button') b |= IN_BUTTON;
  if (i & SCOPE || n === 'ol' || n === 'ul') b |= IN_LIST;
  if (n === 'html' || n === 'table' || n === 'template') b |= IN_TABLE;
  if (n === 'optgroup' || n === 'option') b |= OPTION;
  if (HEAD_NAMES.has(n)) b |= HEAD_TAG;
  if (NOT_FRAMESET_NAMES.has(n)) b |= NOT_FRAMESET;
  if (BLOCK_END.has(n)) b |= BLOCK_END_TAG;
  if (OWN_END_NAMES.has(n)) b |= OWN_END;
  if (n === 'pre' || n === 'listing' || n === 'textarea') b |= DROPS_LF;
  if (n === 'a' || n === 'p' || n === 'table' || n === 'template') b |= INSERT_STEPS;
  INFO.set(n, i | b);
}

export function infoOf(name: string): number {
  return INFO.get(name) ?? 0;
}

export function kindOf(name: string): Kind {
  return ((INFO.get(name) ?? 0) >> 8) & 0xff;
}

/** Every name above, for names.ts (so lookups return these very strings). */
export function treeNames(): string[] {
  return [...FLAGS.keys(), ...KINDS.keys()];
}
