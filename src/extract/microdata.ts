/**
 * Microdata (`itemscope`/`itemtype`/`itemprop`) per the HTML standard's model
 * (https://html.spec.whatwg.org/multipage/microdata.html): top-level items are elements with `itemscope` and no
 * `itemprop`; an item's properties are found by the standard's "crawl the properties" algorithm (children, then
 * `itemref`'d elements, not descending into nested items, loops skipped) in tree order; each property's value
 * is chosen by element as the standard says (nested item; meta → content; img/audio/video/embed/iframe/source/
 * track → src, a/area/link → href, object → data, all resolved; data/meter → value; time → datetime or text;
 * else text). Output is the standard's JSON form: `{"type": [...], "id": ..., "properties": {name: [values]}}`.
 * One deliberate difference: text values have ASCII whitespace collapsed and trimmed (as CSS rules' text).
 */
import type { parseDocument } from 'htmlparser2';
import type { MicrodataItem, MicrodataValue } from '../types.js';

type Doc = ReturnType<typeof parseDocument>;
/** The parts of a domhandler node this module reads. */
interface Node {
  type: string;
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  children?: Node[];
}
interface El extends Node {
  name: string;
  attribs: Record<string, string>;
  children: Node[];
}

const ELEMENT_TYPES = new Set(['tag', 'script', 'style']);
const isElement = (n: Node): n is El => ELEMENT_TYPES.has(n.type);
const SRC = new Set(['audio', 'embed', 'iframe', 'img', 'source', 'track', 'video']);
const HREF = new Set(['a', 'area', 'link']);
const WS = /[\t\n\f\r ]+/;

export interface Microdata {
  items: MicrodataItem[];
  /** Every itemtype token of the items found (nested included), unique, in the order met. */
  types: string[];
}

export function microdata(doc: Doc, baseUrl: string): Microdata {
  const order = new Map<El, number>();
  const ids = new Map<string, El>();
  const topLevel: El[] = [];
  // Tree order walk with an explicit stack: a page nested 100,000 deep must not overflow the call stack.
  const stack: Node[] = [...(doc.children as unknown as Node[])].reverse();
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    if (!isElement(n)) continue;
    order.set(n, order.size);
    const a = n.attribs;
    if (a.id !== undefined && !ids.has(a.id)) ids.set(a.id, n);
    if (a.itemscope !== undefined && a.itemprop === undefined) topLevel.push(n);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  const types: string[] = [];
  const seenTypes = new Set<string>();
  const ctx = { order, ids, baseUrl, types, seenTypes };
  return { items: topLevel.map((el) => itemObject(ctx, el, new Set())), types };
}

interface Ctx {
  order: Map<El, number>;
  ids: Map<string, El>;
  baseUrl: string;
  types: string[];
  seenTypes: Set<string>;
}

function tokens(v: string | undefined): string[] {
  if (v === undefined) return [];
  return [...new Set(v.split(WS).filter(Boolean))];
}

/** The standard's "get the object" for an item; `memory` holds the items above it (a loop gives "ERROR"). */
function itemObject(ctx: Ctx, item: El, memory: Set<El>): MicrodataItem {
  const out = {} as MicrodataItem;
  const props: Record<string, MicrodataValue[]> = {};
  const type = tokens(item.attribs.itemtype);
  if (type.length > 0) {
    out.type = type;
    for (const t of type)
      if (!ctx.seenTypes.has(t)) {
        ctx.seenTypes.add(t);
        ctx.types.push(t);
      }
    // A global identifier only means something for a typed item.
    if (item.attribs.itemid !== undefined) out.id = resolve(item.attribs.itemid, ctx.baseUrl);
  }
  const inner = new Set(memory).add(item);
  for (const el of properties(ctx, item)) {
    let value: MicrodataValue;
    if (el.attribs.itemscope !== undefined)
      value = memory.has(el) || el === item ? 'ERROR' : itemObject(ctx, el, inner);
    else value = propertyValue(el, ctx.baseUrl);
    for (const name of tokens(el.attribs.itemprop)) {
      const list = Object.hasOwn(props, name) ? props[name] : (props[name] = []);
      list.push(value);
    }
  }
  out.properties = props;
  return out;
}

/** The standard's "crawl the properties": the item's property elements, in tree order. */
function properties(ctx: Ctx, root: El): El[] {
  const results: El[] = [];
  const memory = new Set<El>([root]);
  const pending: El[] = root.children.filter(isElement);
  for (const id of tokens(root.attribs.itemref)) {
    const el = ctx.ids.get(id);
    if (el) pending.push(el);
  }
  while (pending.length > 0) {
    const current = pending.pop() as El;
    if (memory.has(current)) continue;
    memory.add(current);
    if (current.attribs.itemscope === undefined)
      for (const c of current.children) if (isElement(c)) pending.push(c);
    if (tokens(current.attribs.itemprop).length > 0) results.push(current);
  }
  return results.sort((a, b) => (ctx.order.get(a) ?? 0) - (ctx.order.get(b) ?? 0));
}

function propertyValue(el: El, base: string): string {
  const a = el.attribs;
  const name = el.name.toLowerCase();
  if (name === 'meta') return a.content ?? '';
  if (SRC.has(name)) return a.src === undefined ? '' : resolve(a.src, base);
  if (HREF.has(name)) return a.href === undefined ? '' : resolve(a.href, base);
  if (name === 'object') return a.data === undefined ? '' : resolve(a.data, base);
  if (name === 'data' || name === 'meter') return a.value ?? '';
  if (name === 'time' && a.datetime !== undefined) return a.datetime;
  return textContent(el);
}

/** An absolute URL, or '' when it cannot be resolved (as the standard says). */
function resolve(v: string, base: string): string {
  try {
    return new URL(v, base).href;
  } catch {
    return '';
  }
}

function textContent(el: El): string {
  const parts: string[] = [];
  const stack: Node[] = [el];
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    if (n.type === 'text' && n.data !== undefined) parts.push(n.data);
    else if (n.children) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return parts
    .join('')
    .replace(/[\t\n\f\r ]+/g, ' ')
    .trim();
}
