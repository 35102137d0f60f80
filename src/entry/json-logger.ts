import { type DestinationStream, pino, stdTimeFunctions } from 'pino';
import type { LogFields, Logger } from '../core/logger';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Keys that must never reach a log, whatever a caller passes: pino blanks them out. */
const SECRETS = ['password', 'currentPassword', 'newPassword', 'passwordHash', 'token', 'refreshToken', 'authorization', 'cookie'];

/**
 * One JSON object per line (pino): time, level, msg and the fields. Written synchronously, so a
 * Lambda freeze or a kill -9 loses no line already logged. `LOG_LEVEL` picks the level.
 */
export function jsonLogger(level: LogLevel = 'info', destination?: DestinationStream | { write(line: string): void }): Logger {
  const log = pino(
    {
      level,
      base: undefined,
      messageKey: 'msg',
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...SECRETS, ...SECRETS.map((key) => `*.${key}`)], censor: '[redacted]' },
    },
    (destination as DestinationStream | undefined) ?? pino.destination({ dest: 1, sync: true }),
  );
  const emit = (name: 'info' | 'warn' | 'error') => (message: string, fields?: LogFields) => log[name](fields ?? {}, message);
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const logLevel = (raw: string | undefined): LogLevel => {
  const level = (raw?.trim().toLowerCase() || 'info') as LogLevel;
  return LOG_LEVELS.includes(level) ? level : 'info';
};
