import { type DestinationStream, type Level, pino } from 'pino';
import type { Logger } from './logger.js';

/** Options of createLogger. */
export interface CreateLoggerOptions {
  /** `trace|debug|info|warn|error|fatal|silent`. Default: `info`. */
  level?: Level | 'silent';
  /** Fields on every line. Default: `{ component: 'agentbox-controller' }`. */
  base?: Record<string, unknown>;
  /** Where lines go. Default: stdout. */
  destination?: DestinationStream;
}

// Field paths that could carry a credential if a caller ever logged a request or a Secret: censored, so a
// mistake elsewhere cannot leak one into the logs.
const REDACT = [
  'authorization',
  'password',
  'token',
  'auth',
  '*.authorization',
  '*.password',
  '*.token',
  '*.auth',
  'headers.authorization',
  '*.headers.authorization',
  'data',
  '*.data',
  'stringData',
  '*.stringData',
];

/** A pino JSON logger (one object per line, ISO timestamps, credential-looking fields censored). */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? { component: 'agentbox-controller' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
  return logger as unknown as Logger;
}
