/** HTTP status → error code. The fetcher returns every response; callers classify with this. */
import type { ErrorCode } from '../errors.js';

/** null below 400 (2xx, and any 1xx/3xx that reached the caller); 408, 429, other 4xx, 5xx otherwise. */
export function classifyStatus(status: number): ErrorCode | null {
  if (status < 400) return null;
  if (status === 408) return 'HTTP_408';
  if (status === 429) return 'HTTP_429';
  if (status < 500) return 'HTTP_4XX';
  return 'HTTP_5XX';
}
