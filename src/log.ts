/** pino to stderr: JSON for machines, pretty when a person is watching a terminal. */
import { pino } from 'pino';

export type Logger = pino.Logger;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel = 'info', opts: { pretty?: boolean } = {}): Logger {
  const pretty = opts.pretty ?? (process.stderr.isTTY === true && !process.env.CI);
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

/** A logger that drops everything (tests, embedding). */
export const silentLogger: Logger = pino({ level: 'silent' });
