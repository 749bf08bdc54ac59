/** The README is the user's manual: it must name every error code, command and flag the CLI has. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import { ERROR_CODES } from '../src/errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('lists every error code in the error table', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(readme, code).toContain(`| \`${code}\` |`);
  });

  it('documents every command and every flag', () => {
    const io = {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      stopSignal: new AbortController().signal,
    };
    const program = buildProgram(io, () => {});
    for (const cmd of program.commands) {
      expect(readme, `command ${cmd.name()}`).toContain(`metacrawl ${cmd.name()}`);
      for (const opt of cmd.options) {
        if (opt.hidden) continue;
        expect(readme, `${cmd.name()} ${opt.long}`).toContain(String(opt.long));
      }
    }
  });
});
