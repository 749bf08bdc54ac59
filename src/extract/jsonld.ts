/** JSON-LD blocks: parsed strictly, with one recovery for comment/CDATA wrappers, never fatal. */
import type { JsonLdBlock } from '../types.js';
import { normalizeNewlines } from './text.js';

/**
 * `<!-- ... -->` and `<![CDATA[ ... ]]>` (optionally behind `//` or `/*`, as pages write them to
 * hide the JSON from old parsers) around otherwise valid JSON.
 */
const WRAPPED =
  /^[\t\n\f\r ]*(?:\/\/[\t ]*|\/\*[\t ]*)?(?:<!--|<!\[CDATA\[)(?:[\t ]*\*\/)?([\s\S]*?)(?:\/\/[\t ]*|\/\*[\t ]*)?(?:-->|\]\]>)(?:[\t ]*\*\/)?[\t\n\f\r ]*$/;

/** SQLite's JSON functions reject arrays/objects nested deeper than this (JSON_MAX_DEPTH); JSON.parse does not. */
export const SQLITE_JSON_MAX_DEPTH = 1000;

/**
 * Decision: a block is `valid: true` exactly when SQLite's `json_valid` accepts the text the store keeps
 * for it: JSON.parse accepts it and it nests at most SQLITE_JSON_MAX_DEPTH deep. A block that is valid
 * JSON once a comment/CDATA wrapper is removed is valid too (such blocks are common and the data is
 * real): `unwrapped` then holds the JSON inside, which is what the store's `json` column gets, while
 * `raw` keeps the text as found. Anything else is `valid: false, value: null`, with `raw` kept.
 */
export function parseJsonLd(rawText: string): JsonLdBlock {
  const raw = normalizeNewlines(rawText);
  let json = raw;
  let value = tryParse(raw);
  if (value === undefined) {
    const inner = WRAPPED.exec(raw)?.[1];
    value = inner === undefined ? undefined : tryParse(inner);
    // Trimmed only once parsed, so only JSON whitespace can go.
    if (inner !== undefined && value !== undefined) json = inner.trim();
  }
  if (value === undefined || nestsDeeperThan(json, SQLITE_JSON_MAX_DEPTH)) {
    return { raw, valid: false, value: null, types: [] };
  }
  const block: JsonLdBlock = { raw, valid: true, value, types: jsonLdTypes(value) };
  if (json !== raw) block.unwrapped = json;
  return block;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** True when well-formed JSON `text` has arrays/objects nested more than `max` deep. */
export function nestsDeeperThan(text: string, max: number): boolean {
  // Each level costs an opening and a closing bracket: short texts cannot be that deep.
  if (text.length <= 2 * max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Every @type string anywhere in the value (arrays, @graph and nested nodes), in order, unique. */
export function jsonLdTypes(value: unknown): string[] {
  const seen = new Set<string>();
  forEachJsonLdNode(
    value,
    (node) => {
      const t = node['@type'];
      if (typeof t === 'string') seen.add(t);
      else if (Array.isArray(t)) for (const x of t) if (typeof x === 'string') seen.add(x);
    },
    '@type',
  );
  return [...seen];
}

/**
 * Calls `visit` on every object node of a JSON value (arrays, @graph and nested nodes walked), in document
 * order; the value under key `skip` is not walked. An explicit stack: a hostile block nested 100,000 deep
 * must not overflow the call stack.
 */
export function forEachJsonLdNode(
  value: unknown,
  visit: (node: Record<string, unknown>) => void,
  skip?: string,
): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
      continue;
    }
    const node = v as Record<string, unknown>;
    visit(node);
    const keys = Object.keys(node);
    for (let i = keys.length - 1; i >= 0; i--) if (keys[i] !== skip) stack.push(node[keys[i]]);
  }
}
