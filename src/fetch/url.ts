/** URL handling for fetches: what may be requested, where a redirect leads, and how a URL is shown. */
import { CrawlError } from '../errors.js';

/** The URL without user:pass@, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return url.replace(/\/\/[^/@?#]*@/, '//');
  }
}

/** A request target: http(s) only; credentials and the fragment are never sent. */
export function parseTarget(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CrawlError('INVALID_URL', 'not a valid URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new CrawlError('INVALID_URL', `unsupported scheme ${u.protocol}`);
  }
  u.username = '';
  u.password = '';
  u.hash = '';
  return u;
}

/** Where a redirect response leads; BAD_REDIRECT when its Location is missing, malformed or not http(s). */
export function nextHop(from: URL, location: string | undefined, status: number): URL {
  if (!location) throw new CrawlError('BAD_REDIRECT', `${status} without a Location header`);
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new CrawlError(
      'BAD_REDIRECT',
      `${status} to an invalid Location "${redactUrl(location).slice(0, 200)}"`,
    );
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new CrawlError('BAD_REDIRECT', `${status} to unsupported scheme ${next.protocol}`);
  }
  return parseTarget(next.href);
}
