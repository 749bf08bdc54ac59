/** What a command needs from the outside world, so commands are callable without a real terminal. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM). */
  stopSignal: AbortSignal;
}

export function processIO(): CliIO {
  const ctrl = new AbortController();
  const stop = () => {
    if (ctrl.signal.aborted) {
      process.stderr.write('metacrawl: second signal, exiting now\n');
      process.exit(130);
    }
    process.stderr.write('metacrawl: stopping (finishing in-flight work; press Ctrl-C again to force)\n');
    ctrl.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, stopSignal: ctrl.signal };
}

export function line(stream: NodeJS.WritableStream, text: string): void {
  stream.write(`${text}\n`);
}

/** Resolves after ms, or earlier when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
