/** Exit codes of an interrupted crawl follow the signal: 130 for SIGINT (Ctrl-C), 143 for SIGTERM. */
import { describe, expect, it } from 'vitest';
import { interruptedExitCode } from '../../src/cli/io.js';

describe('interruptedExitCode', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ])('%s → %d', (signal, code) => {
    const c = new AbortController();
    c.abort(signal);
    expect(interruptedExitCode(c.signal)).toBe(code);
  });
});
