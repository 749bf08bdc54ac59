/** What a command needs from the outside world, so commands are callable without a real terminal. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  /** Aborts when the user asks to stop; its reason is the signal's name ('SIGINT' or 'SIGTERM'). */
  stopSignal: AbortSignal;
}

const STOPPING = 'metacrawl: stopping (finishing in-flight work; press Ctrl-C again to force)';

/** Stop signals whose command says itself what a stop does (announceStop) or stops at once (quietStop). */
const handled = new WeakSet<AbortSignal>();

export function processIO(): CliIO {
  const ctrl = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (ctrl.signal.aborted) {
      process.stderr.write('metacrawl: second signal, exiting now\n');
      process.exit(130);
    }
    ctrl.abort(signal);
    if (!handled.has(ctrl.signal)) process.stderr.write(`${STOPPING}\n`);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, stopSignal: ctrl.signal };
}

/** For commands with in-flight work: on a stop signal, say on `stream` that it is finishing and how to force it. */
export function announceStop(io: CliIO, stream: NodeJS.WritableStream = io.stderr): void {
  handled.add(io.stopSignal);
  io.stopSignal.addEventListener('abort', () => line(stream, STOPPING), { once: true });
}

/** For commands that simply end on a stop signal (status --watch, serve): nothing to announce. */
export function quietStop(io: CliIO): void {
  handled.add(io.stopSignal);
}

/** Exit codes of a `crawl` stopped before every URL had its row: 128 + the signal's number, as shells do. */
export const INTERRUPTED_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

export function interruptedExitCode(signal: AbortSignal): number {
  return signal.reason === 'SIGTERM' ? INTERRUPTED_EXIT.SIGTERM : INTERRUPTED_EXIT.SIGINT;
}

export function line(stream: NodeJS.WritableStream, text: string): void {
  stream.write(`${text}\n`);
}
