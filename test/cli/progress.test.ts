/** The progress bar and log lines share a terminal: log lines go above the bar, whole, and the bar stays last. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.js';
import { createLogger } from '../../src/log.js';
import { screen } from '../helpers/terminal.js';

function fakeTerminal(columns = 150) {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => {
    text += d;
  });
  return { stream: Object.assign(out, { isTTY: true, columns }), text: () => text };
}

const isBar = (l: string) => l.includes('pages/s | ETA');

describe('progress bar with log lines', () => {
  it('writes log lines and messages above the bar, never into it, and leaves the bar as the last line', () => {
    const t = fakeTerminal();
    const p = createProgress('bar', t.stream);
    const logger = createLogger('info', { destination: p.out, pretty: true });
    p.update({ done: 1, total: 10, ok: 1, failed: 0, delayed: 0 });
    logger.info({ crawl: 'c' }, 'seeds submitted');
    p.update({ done: 4, total: 10, ok: 3, failed: 1, delayed: 2 });
    p.out.write('metacrawl: stopping (finishing in-flight work; press Ctrl-C again to force)\n');
    logger.warn('half a line');
    p.out.write('a message in ');
    p.out.write('two writes\n');
    p.update({ done: 10, total: 10, ok: 8, failed: 2, delayed: 0 });
    p.stop();
    logger.info('after the bar');

    const lines = screen(t.text()).filter((l) => l.trim() !== '');
    const logs = lines.filter((l) => !isBar(l));
    expect(lines.filter(isBar)).toHaveLength(1);
    expect(lines.findIndex(isBar)).toBe(lines.length - 2);
    expect(lines.find(isBar)).toMatch(
      /^ \u2588{40} 10\/10 \| ok 8 \| failed 2 \| delayed 0 \| [\d.]+ pages\/s \| ETA 0s$/,
    );
    expect(logs[0]).toMatch(/^\[\d\d:\d\d:\d\d\] INFO.*: seeds submitted$/);
    expect(logs[1]).toBe('    crawl: "c"');
    expect(logs[2]).toBe('metacrawl: stopping (finishing in-flight work; press Ctrl-C again to force)');
    expect(logs[3]).toMatch(/^\[\d\d:\d\d:\d\d\] WARN.*: half a line$/);
    expect(logs[4]).toBe('a message in two writes');
    expect(lines.at(-1)).toMatch(/INFO.*: after the bar$/);
  });

  it('keeps the bar within the terminal width, so it can be redrawn in place', () => {
    const t = fakeTerminal(50);
    const p = createProgress('bar', t.stream);
    p.update({ done: 5, total: 10, ok: 5, failed: 0, delayed: 0 });
    p.out.write('a log line\n');
    p.stop();
    const lines = screen(t.text()).filter((l) => l !== '');
    expect(lines).toEqual(['a log line', expect.stringMatching(/^ \u2588{20}\u2591{20} 5\/10 \| $/)]);
  });
});
