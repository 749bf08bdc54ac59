/**
 * The keys a `--config` file may hold, and the check that refuses any other: a misspelt key must not
 * leave its default in force unnoticed.
 */
import { ConfigError } from '../config.js';

/** Every setting read from a config file: long flag names in camelCase, plus `hosts` (per-host overrides). */
export const FILE_KEYS = [
  'redis',
  'prefix',
  'logLevel',
  'db',
  'crawl',
  'concurrency',
  'allowPrivate',
  'userAgent',
  'timeout',
  'maxBytes',
  'maxLinks',
  'hostRate',
  'hostConcurrency',
  'politenessKey',
  'politenessFile',
  'hosts',
  'ignoreRobots',
  'retries',
  'maxUrlLength',
  'stripParams',
  'sortQuery',
  'priority',
  'depth',
  'scope',
  'include',
  'exclude',
  'maxPages',
  'maxPagesPerHost',
  'followNofollow',
  'metricsPort',
  'metricsHost',
  'sitemap',
  'sitemapsFromRobots',
  'queueWindow',
  'redisTimeout',
  'since',
  'trustLastmod',
  'extract',
  'extractFile',
  'extractAll',
  'microdata',
] as const;
export type FileKey = (typeof FILE_KEYS)[number];

/** Flags that only make sense on one command line (or per run), so a file cannot set them. */
const COMMAND_LINE_ONLY = [
  'config',
  'progress',
  'grace',
  'workers',
  'batchSize',
  'json',
  'watch',
  'format',
  'file',
  'base',
  'host',
  'port',
];

/** Throws a ConfigError naming the file and every key it does not know, each with its likely meaning. */
export function checkConfigKeys(path: string, data: Record<string, unknown>): void {
  const known = new Set<string>(FILE_KEYS);
  const problems = Object.keys(data)
    .filter((k) => !known.has(k))
    .map((k) => {
      if (COMMAND_LINE_ONLY.includes(k))
        return `"${k}" cannot be set in a config file (pass --${kebab(k)} on the command line)`;
      const guess = didYouMean(k, FILE_KEYS);
      return `unknown key "${k}"${guess ? ` (did you mean "${guess}"?)` : ''}`;
    });
  if (problems.length === 0) return;
  throw new ConfigError(
    `--config ${path}: ${problems.join('; ')}; keys are flag names in camelCase, e.g. "hostRate"`,
  );
}

export function kebab(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The closest candidate, ignoring case, dashes and underscores (`host-rate` → `hostRate`), or null. */
export function didYouMean(word: string, candidates: readonly string[]): string | null {
  const fold = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const w = fold(word);
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(w, fold(c));
    // Up to a third of the word may be wrong: enough for typos, too little for unrelated words.
    if (d <= Math.max(1, Math.floor(w.length / 3)) && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
