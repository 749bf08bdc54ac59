/**
 * Codes decide the queue outcome in one place: a retryable code with attempts left is rethrown (BullMQ
 * backoff); everything else becomes the page's final row. Throttling is handled before this and costs no attempt.
 */
import { type ErrorCode, isRetryable } from '../errors.js';

export type Outcome = 'retry' | 'final';

export function decideOutcome(code: ErrorCode, attemptsMade: number, maxAttempts: number): Outcome {
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
