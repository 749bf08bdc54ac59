/**
 * A minimal terminal for tests: replays what a program wrote (printable text, CR, LF, erase-to-end-of-line;
 * colours and other escape sequences ignored) and returns the lines left on the screen.
 */
export function screen(output: string): string[] {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  for (let i = 0; i < output.length; i++) {
    const ch = output[i];
    if (ch === '\x1b') {
      const csi = /^\x1b\[[0-9;?]*([A-Za-z])/.exec(output.slice(i, i + 16));
      if (csi) {
        if (csi[1] === 'K') lines[row].length = Math.min(lines[row].length, col);
        i += csi[0].length - 1;
      }
      continue;
    }
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row++;
      col = 0;
      lines[row] ??= [];
    } else {
      while (lines[row].length < col) lines[row].push(' ');
      lines[row][col++] = ch;
    }
  }
  return lines.map((l) => l.join(''));
}
