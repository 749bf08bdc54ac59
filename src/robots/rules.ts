/**
 * A pure RFC 9309 robots.txt parser and matcher (no I/O).
 *
 * Why not robots-parser (v3, tried and removed): checked against the RFC it gets these wrong —
 *  - percent-encoding equivalence: `/foo/%62%61%7A` must match `/foo/baz` and `%7E` must match `~`
 *    (RFC 9309 §2.2.2: encoded unreserved characters are decoded before comparing); it compares raw.
 *  - product tokens: it only cuts the user agent at `/`, so `FooBot (+https://…)` never selects the
 *    `FooBot` group, and a robots.txt line `User-agent: FooBot extra` is never matched.
 * Wrapping it would mean rewriting both the file and the URL, so a small matcher is simpler.
 *
 * A file cut at the size limit is handled by the caller dropping its partial last line (see
 * `dropPartialLastLine`); the parser itself accepts any text and never throws.
 */

/** RFC 9309 §2.5: crawlers must parse at least the first 500 KiB; a longer file is cut there. */
export const ROBOTS_MAX_BYTES = 500 * 1024;
/** RFC 9309 §2.3.1.2: crawlers follow at least five consecutive redirects for robots.txt. */
export const ROBOTS_MAX_REDIRECTS = 5;

export interface RobotsRule {
  allow: boolean;
  /** Normalized (see normalizePath); `*` = any run of characters, a trailing `$` = end of path. */
  pattern: string;
}

export interface RobotsGroup {
  /** Lowercased product tokens, or `*`. */
  agents: string[];
  rules: RobotsRule[];
  crawlDelaySec: number | null;
}

export interface ParsedRobots {
  groups: RobotsGroup[];
  /** `Sitemap:` values as written, in file order. */
  sitemaps: string[];
}

/** The rules that apply to one crawler: its matching groups merged, or the `*` groups. */
export interface RobotsPolicy {
  rules: RobotsRule[];
  crawlDelaySec: number | null;
}

/** The product token of a User-Agent: its leading run of [A-Za-z_-] (`Foo-Bot/2.1 (+https://…)` → `Foo-Bot`). */
export function productToken(userAgent: string): string {
  return /^[A-Za-z_-]*/.exec(userAgent.trim())?.[0] ?? '';
}

const UNRESERVED = /^[A-Za-z0-9._~-]$/;
const HEX2 = /^[0-9A-Fa-f]{2}$/;

/**
 * One canonical form for rule patterns and URL paths (RFC 9309 §2.2.2): percent-encoded unreserved
 * characters are decoded, other escapes get uppercase hex, non-ASCII and control characters are
 * UTF-8 percent-encoded. `*` and `$` pass through unchanged.
 */
export function normalizePath(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '%' && HEX2.test(s.slice(i + 1, i + 3))) {
      const hex = s.slice(i + 1, i + 3).toUpperCase();
      const ch = String.fromCharCode(Number.parseInt(hex, 16));
      out += UNRESERVED.test(ch) ? ch : `%${hex}`;
      i += 2;
      continue;
    }
    const code = s.charCodeAt(i);
    if (code > 0x20 && code < 0x7f) {
      out += c;
      continue;
    }
    const cp = s.codePointAt(i) ?? code;
    const char = String.fromCodePoint(cp);
    if (cp > 0xffff) i++;
    try {
      out += encodeURIComponent(char);
    } catch {
      out += '%EF%BF%BD'; // a lone surrogate: encode as U+FFFD
    }
  }
  return out;
}

/** Does a normalized pattern match a normalized path? `*` matches any run, a trailing `$` anchors the end. */
export function patternMatches(pattern: string, path: string): boolean {
  let end = pattern.length;
  const anchored = end > 0 && pattern[end - 1] === '$';
  if (anchored) end--;
  if (!anchored && !pattern.includes('*')) return path.startsWith(pattern);
  // Positions in `path` reachable after matching pattern[0..p), ascending (google/robotstxt's approach:
  // O(pattern × path), no backtracking blow-up on patterns like `/*a*a*a*b`).
  let pos: number[] = [0];
  for (let p = 0; p < end; p++) {
    const c = pattern[p];
    if (c === '*') {
      while (p + 1 < end && pattern[p + 1] === '*') p++;
      const from = pos[0];
      pos = [];
      for (let i = from; i <= path.length; i++) pos.push(i);
      continue;
    }
    const next: number[] = [];
    for (const i of pos) if (i < path.length && path[i] === c) next.push(i + 1);
    if (next.length === 0) return false;
    pos = next;
  }
  return anchored ? pos[pos.length - 1] === path.length : true;
}

/** Parses robots.txt text. Unknown lines, rules outside a group and malformed values are ignored. */
export function parseRobots(text: string): ParsedRobots {
  const groups: RobotsGroup[] = [];
  const sitemaps: string[] = [];
  let current: RobotsGroup | null = null;
  // Consecutive User-agent lines open one group; the first rule after them closes the agent list.
  let inAgentLines = false;
  for (const rawLine of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    const hash = rawLine.indexOf('#');
    const line = hash >= 0 ? rawLine.slice(0, hash) : rawLine;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    switch (key) {
      case 'user-agent': {
        if (!inAgentLines || current === null) {
          current = { agents: [], rules: [], crawlDelaySec: null };
          groups.push(current);
        }
        inAgentLines = true;
        const agent = value.startsWith('*') ? '*' : productToken(value).toLowerCase();
        if (agent) current.agents.push(agent);
        break;
      }
      case 'allow':
      case 'disallow': {
        inAgentLines = false;
        // An empty value (`Disallow:`) is no rule; patterns must start with / or *.
        if (current && (value.startsWith('/') || value.startsWith('*'))) {
          current.rules.push({ allow: key === 'allow', pattern: normalizePath(value) });
        }
        break;
      }
      case 'crawl-delay': {
        inAgentLines = false;
        const n = Number(value);
        if (current && value !== '' && Number.isFinite(n) && n >= 0) current.crawlDelaySec = n;
        break;
      }
      case 'sitemap':
        if (value) sitemaps.push(value);
        break;
    }
  }
  return { groups, sitemaps };
}

/**
 * Group selection (RFC 9309 §2.2.1): every group naming our product token (case-insensitive) is merged;
 * only when none does, the `*` groups are; otherwise there are no rules.
 */
export function selectPolicy(parsed: ParsedRobots, userAgent: string): RobotsPolicy {
  const token = productToken(userAgent).toLowerCase();
  let chosen = token ? parsed.groups.filter((g) => g.agents.includes(token)) : [];
  if (chosen.length === 0) chosen = parsed.groups.filter((g) => g.agents.includes('*'));
  const delays = chosen.map((g) => g.crawlDelaySec).filter((d): d is number => d !== null);
  return {
    rules: chosen.flatMap((g) => g.rules),
    crawlDelaySec: delays.length > 0 ? Math.max(...delays) : null,
  };
}

/**
 * The most specific (longest) matching rule decides; allow wins a tie; no match allows.
 * `pathAndQuery` is the URL's path plus query (e.g. `url.pathname + url.search`); /robots.txt is always allowed.
 */
export function isPathAllowed(policy: RobotsPolicy, pathAndQuery: string): boolean {
  const path = normalizePath(pathAndQuery || '/');
  if (path === '/robots.txt') return true;
  let best: RobotsRule | null = null;
  for (const rule of policy.rules) {
    if (best && rule.pattern.length < best.pattern.length) continue;
    if (best && rule.pattern.length === best.pattern.length && (best.allow || !rule.allow)) continue;
    if (patternMatches(rule.pattern, path)) best = rule;
  }
  return best === null || best.allow;
}

/** For a file cut at the size limit: its last line may be half a rule, so it is dropped. */
export function dropPartialLastLine(text: string): string {
  const nl = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
  return nl < 0 ? '' : text.slice(0, nl + 1);
}
