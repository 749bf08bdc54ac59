/**
 * Codes decide retry or final row in one place: a retryable code with attempts left is rethrown (BullMQ
 * backoff); everything else becomes the page's final row. Throttling is handled before this and costs no attempt.
 */
import { type ErrorCode, isRetryable } from '../errors.js';

export type RetryDecision = 'retry' | 'final';

export function decideRetry(code: ErrorCode, attemptsMade: number, maxAttempts: number): RetryDecision {
  if (!isRetryable(code)) return 'final';
  return attemptsMade + 1 < maxAttempts ? 'retry' : 'final';
}

/** A host-level connection failure: back the whole host off so a dead host does not burn every worker. */
export function isConnectionFailure(code: ErrorCode): boolean {
  return (
    code === 'CONNECTION_REFUSED' ||
    code === 'CONNECTION_RESET' ||
    code === 'FETCH_TIMEOUT' ||
    code === 'NETWORK_ERROR'
  );
}
