/**
 * Resolved fields: one answer per question, each an ordered list of fallback rules in its own module
 * (metascraper style). The runner takes the first non-empty answer; a rule that throws counts as
 * "no answer" and the next rule is tried, so a bad page never fails the extraction.
 * The order of every field is documented in RESOLVED.md and in each module's comment.
 */
import type { ResolvedFields } from '../../types.js';
import { author } from './author.js';
import { bestDescription } from './best-description.js';
import { bestImage } from './best-image.js';
import { bestTitle } from './best-title.js';
import { bestUrl } from './best-url.js';
import type { Rule, RuleContext } from './context.js';
import { modifiedAt, publishedAt } from './dates.js';
import { favicon } from './favicon.js';
import { feeds } from './feeds.js';
import { hreflang } from './hreflang.js';
import { jsonldTypes } from './jsonld-types.js';
import { keywords } from './keywords.js';
import { pageType } from './page-type.js';
import { robots } from './robots.js';
import { siteName } from './site-name.js';

export type { RuleContext };

/** The first non-empty answer of `rules`; a throwing rule is skipped. */
export function firstOf<T>(rules: readonly Rule<T>[], ctx: RuleContext): T | null {
  for (const rule of rules) {
    try {
      const v = rule(ctx);
      if (v !== null && v !== undefined && (v as unknown) !== '') return v;
    } catch {
      // A broken rule is no answer; the next one decides.
    }
  }
  return null;
}

/** Runs a list-valued field; a throw yields []. */
function listOf<T>(rule: (ctx: RuleContext) => T[], ctx: RuleContext): T[] {
  try {
    return rule(ctx);
  } catch {
    return [];
  }
}

export function emptyResolved(): ResolvedFields {
  return {
    bestTitle: null,
    bestDescription: null,
    bestImage: null,
    bestUrl: null,
    siteName: null,
    author: null,
    publishedAt: null,
    modifiedAt: null,
    pageType: null,
    favicon: null,
    feeds: [],
    hreflang: [],
    robots: null,
    keywords: null,
    jsonldTypes: [],
  };
}

export function resolveAll(ctx: RuleContext): ResolvedFields {
  return {
    bestTitle: firstOf(bestTitle, ctx),
    bestDescription: firstOf(bestDescription, ctx),
    bestImage: firstOf(bestImage, ctx),
    bestUrl: firstOf(bestUrl, ctx),
    siteName: firstOf(siteName, ctx),
    author: firstOf(author, ctx),
    publishedAt: firstOf(publishedAt, ctx),
    modifiedAt: firstOf(modifiedAt, ctx),
    pageType: firstOf(pageType, ctx),
    favicon: firstOf(favicon, ctx),
    feeds: listOf(feeds, ctx),
    hreflang: listOf(hreflang, ctx),
    robots: firstOf(robots, ctx),
    keywords: firstOf(keywords, ctx),
    jsonldTypes: listOf(jsonldTypes, ctx),
  };
}
