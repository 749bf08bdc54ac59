/**
 * Custom extraction rules (`--extract`, `--extract-file`): parsed and checked once, at the edge, so a bad rule
 * stops `crawl`/`submit`/`inspect` before anything is queued. Workers parse the same texts again (they travel
 * with the crawl's settings as strings) and never see a rule that did not pass here.
 *
 *   name=css:<selector>            text of the first match, ASCII whitespace collapsed
 *   name=css:<selector>@<attr>     an attribute of the first match
 *   name=css:<selector>@html       inner HTML of the first match
 *   name=regex:<pattern>           first capture group of the first match over the decoded body
 *   name=jsonld:<Type>.<path>      a path into the page's JSON-LD nodes whose @type is <Type>
 *   name[]=...                     every match in document order instead of the first
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type RuleKind = 'css' | 'regex' | 'jsonld';

export interface ExtractRule {
  /** The name without `[]`: the `rule` column of `extracts`, the key of inspect's `extracts`. */
  name: string;
  /** `name[]`: keep every match (an array), else the first (a string or null). */
  all: boolean;
  kind: RuleKind;
  /** The rule as written, normalised (`name[]=kind:body`): what settings, config and status carry. */
  text: string;
  /** css */
  selector?: string;
  /** css: the attribute to read; `null` = text, `'@html'` = inner HTML. */
  attr?: string | null;
  /** regex */
  regex?: RegExp;
  /** jsonld: the @type to select and the property path below it (may be empty: the node itself, as JSON). */
  type?: string;
  path?: string[];
}

/** A rule that cannot run: its text and why. Callers turn it into their usage error (exit 2). */
export class RuleError extends Error {
  constructor(
    readonly rule: string,
    readonly reason: string,
  ) {
    super(`"${rule}": ${reason}`);
    this.name = 'RuleError';
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const KINDS: readonly RuleKind[] = ['css', 'regex', 'jsonld'];
/** `@name` at the very end of a CSS rule: an attribute to read (an `@` inside `[...]` is followed by `]`). */
const ATTR_SUFFIX = /@([A-Za-z_:][A-Za-z0-9_:.-]*)$/;

/** Parses one `name=kind:body` rule; throws RuleError naming the rule and the reason. */
export function parseRule(text: string): ExtractRule {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new RuleError(text, 'expected name=kind:body, e.g. price=css:[itemprop=price]@content');
  let name = text.slice(0, eq).trim();
  const all = name.endsWith('[]');
  if (all) name = name.slice(0, -2);
  if (!NAME.test(name))
    throw new RuleError(
      text,
      `the name "${name}" must be 1-64 letters, digits, '_', '.' or '-', not starting with a digit`,
    );
  const rest = text.slice(eq + 1);
  const colon = rest.indexOf(':');
  const kind = (colon < 0 ? rest : rest.slice(0, colon)).trim() as RuleKind;
  if (!KINDS.includes(kind))
    throw new RuleError(text, `unknown rule kind "${kind}" (use css:, regex: or jsonld:)`);
  const body = rest.slice(colon + 1);
  if (body.trim() === '') throw new RuleError(text, `the ${kind} rule is empty`);
  const rule: ExtractRule = { name, all, kind, text: `${name}${all ? '[]' : ''}=${kind}:${body}` };
  if (kind === 'css') {
    const m = ATTR_SUFFIX.exec(body);
    const selector = (m ? body.slice(0, m.index) : body).trim();
    if (selector === '') throw new RuleError(text, 'the CSS selector is empty');
    rule.selector = selector;
    rule.attr = m ? (m[1].toLowerCase() === 'html' ? '@html' : m[1].toLowerCase()) : null;
    const problem = selectorProblem(selector);
    if (problem) throw new RuleError(text, `invalid CSS selector: ${problem}`);
  } else if (kind === 'regex') {
    let re: RegExp;
    try {
      re = new RegExp(body);
    } catch (err) {
      throw new RuleError(text, `the regular expression does not compile: ${(err as Error).message}`);
    }
    if (captureGroups(body) < 1)
      throw new RuleError(text, 'the regular expression has no capture group: wrap the value in ( )');
    rule.regex = re;
  } else {
    const parts = body.trim().split('.');
    const type = parts[0];
    if (!/^[^\s.]+$/.test(type))
      throw new RuleError(text, 'expected jsonld:<Type>.<path>, e.g. jsonld:Product.offers.price');
    if (parts.slice(1).some((p) => p === ''))
      throw new RuleError(text, 'the JSON-LD path has an empty step (two dots, or a dot at the end)');
    rule.type = type;
    rule.path = parts.slice(1);
  }
  return rule;
}

/**
 * Parses a crawl's rules: each must parse, and no two may share a name. `all` (`--extract-all`) makes every rule
 * keep every match, as if each name ended in `[]`.
 */
export function parseRules(texts: readonly string[], opts: { all?: boolean } = {}): ExtractRule[] {
  const seen = new Map<string, string>();
  const rules: ExtractRule[] = [];
  for (const t of texts) {
    const r = parseRule(t);
    const first = seen.get(r.name);
    if (first !== undefined) throw new RuleError(t, `duplicate rule name "${r.name}" (also "${first}")`);
    seen.set(r.name, t);
    if (opts.all && !r.all) {
      r.all = true;
      r.text = `${r.name}[]${r.text.slice(r.name.length)}`;
    }
    rules.push(r);
  }
  return rules;
}

/**
 * Reads a rules file (`--extract-file`): a JSON object of `"name": "kind:body"` (a name may end in `[]`), or a
 * JSON array of `"name=kind:body"` strings. Returns the rules as `name=kind:body` texts.
 */
export function readRulesFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new RuleError(path, 'cannot read the rules file');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new RuleError(path, `not JSON (${(err as Error).message})`);
  }
  if (Array.isArray(data)) {
    return data.map((v, i) => {
      if (typeof v !== 'string') throw new RuleError(path, `item ${i} is not a "name=kind:body" string`);
      return v;
    });
  }
  if (data && typeof data === 'object') {
    return Object.entries(data as Record<string, unknown>).map(([k, v]) => {
      if (typeof v !== 'string') throw new RuleError(path, `"${k}" must be a "kind:body" string`);
      return `${k}=${v}`;
    });
  }
  throw new RuleError(path, 'expected a JSON object {"name": "kind:body"} or an array of "name=kind:body"');
}

/** Number of capturing groups in a pattern that compiles (an empty alternative always matches). */
function captureGroups(pattern: string): number {
  return (new RegExp(`${pattern}|`).exec('') as RegExpExecArray).length - 1;
}

const require = createRequire(import.meta.url);
let cheerioSlim: typeof import('cheerio/slim') | undefined;

/** cheerio's htmlparser2 build, loaded on first use: commands and crawls without CSS rules never load it. */
export function cheerio(): typeof import('cheerio/slim') {
  cheerioSlim ??= require('cheerio/slim') as typeof import('cheerio/slim');
  return cheerioSlim;
}

/** Why cheerio cannot run the selector, or null. */
function selectorProblem(selector: string): string | null {
  try {
    cheerio().load('<p></p>')(selector);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
