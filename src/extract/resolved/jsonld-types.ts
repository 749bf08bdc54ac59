/** jsonldTypes: every @type of every valid JSON-LD block, in document order, unique. */
import type { RuleContext } from './context.js';

export function jsonldTypes(c: RuleContext): string[] {
  return [...new Set(c.meta.jsonld.flatMap((b) => b.types))];
}
