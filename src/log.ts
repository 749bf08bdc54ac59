/** pino to stderr: JSON for machines, pretty when a person is watching a terminal. */
import { createRequire } from 'node:module';
import { pino } from 'pino';
import type PinoPretty from 'pino-pretty';

// pino-pretty is loaded only when a line is made pretty (a person at a terminal): ~40 ms of start-up otherwise.
const require = createRequire(import.meta.url);

export type Logger = pino.Logger;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** Pretty lines instead of JSON; default: when stderr is a terminal (and not CI). */
  pretty?: boolean;
  /**
   * Write log lines here, synchronously, instead of to stderr from pino's own thread (e.g. above a
   * progress bar, so a log line never lands inside the bar).
   */
  destination?: LineSink;
}

/** Where log lines go: anything with a synchronous write (a stream, a progress bar's writer, a thread port). */
export interface LineSink {
  write(line: string): unknown;
}

export function createLogger(level: LogLevel = 'info', opts: LoggerOptions = {}): Logger {
  const pretty = opts.pretty ?? (process.stderr.isTTY === true && !process.env.CI);
  if (opts.destination) return pino({ level }, logLineWriter(opts.destination, pretty));
  if (pretty) {
    return pino({
      level,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, colorize: true, translateTime: 'HH:MM:ss' },
      },
    });
  }
  return pino({ level }, pino.destination({ dest: 2, sync: false }));
}

/** Takes pino's JSON lines (of this process or of worker threads) and writes them, pretty or as they are. */
export function logLineWriter(out: LineSink, pretty: boolean): LineSink {
  const format = pretty
    ? (require('pino-pretty') as typeof PinoPretty).prettyFactory({
        colorize: true,
        translateTime: 'HH:MM:ss',
      })
    : null;
  return {
    write(line: string) {
      out.write(format ? format(line) : line);
    },
  };
}

/** A logger that drops everything (tests, embedding). */
export const silentLogger: Logger = pino({ level: 'silent' });
