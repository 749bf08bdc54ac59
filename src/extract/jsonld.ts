/** JSON-LD blocks: parsed strictly, with one recovery for comment/CDATA wrappers, never fatal. */
import type { JsonLdBlock } from '../types.js';
import { normalizeNewlines } from './text.js';

/**
 * `<!-- ... -->` and `<![CDATA[ ... ]]>` (optionally behind `//` or `/*`, as pages write them to
 * hide the JSON from old parsers) around otherwise valid JSON.
 */
const WRAPPED =
  /^[\t\n\f\r ]*(?:\/\/[\t ]*|\/\*[\t ]*)?(?:<!--|<!\[CDATA\[)(?:[\t ]*\*\/)?([\s\S]*?)(?:\/\/[\t ]*|\/\*[\t ]*)?(?:-->|\]\]>)(?:[\t ]*\*\/)?[\t\n\f\r ]*$/;

/**
 * Decision: a block that is valid JSON once a comment/CDATA wrapper is removed is `valid: true`
 * (its `raw` still shows the wrapper): such blocks are common in saved pages and the data is real.
 * Anything else that JSON.parse rejects is `valid: false, value: null`, with `raw` kept.
 */
export function parseJsonLd(rawText: string): JsonLdBlock {
  const raw = normalizeNewlines(rawText);
  let value = tryParse(raw);
  if (value === undefined) {
    const m = WRAPPED.exec(raw);
    if (m) value = tryParse(m[1]);
  }
  if (value === undefined) return { raw, valid: false, value: null, types: [] };
  return { raw, valid: true, value, types: jsonLdTypes(value) };
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Every @type string anywhere in the value (arrays, @graph and nested nodes), in order, unique. */
export function jsonLdTypes(value: unknown): string[] {
  const seen = new Set<string>();
  // An explicit stack: a hostile block nested 100,000 deep must not overflow the call stack.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
      continue;
    }
    const obj = v as Record<string, unknown>;
    const t = obj['@type'];
    if (typeof t === 'string') seen.add(t);
    else if (Array.isArray(t)) for (const x of t) if (typeof x === 'string') seen.add(x);
    const keys = Object.keys(obj);
    for (let i = keys.length - 1; i >= 0; i--) if (keys[i] !== '@type') stack.push(obj[keys[i]]);
  }
  return [...seen];
}
