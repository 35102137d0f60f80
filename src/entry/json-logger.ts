import { writeSync } from 'node:fs';
import type { LogFields, Logger } from '../core/logger';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Keys that must never reach a log, whatever a caller passes: blanked at the top level and one level down. */
const SECRETS = new Set(['password', 'currentPassword', 'newPassword', 'passwordHash', 'token', 'refreshToken', 'authorization', 'cookie']);
const REDACTED = '[redacted]';
const RANK: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50, silent: Number.POSITIVE_INFINITY };

function redact(value: unknown, depth: number): unknown {
  if (depth > 1 || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = SECRETS.has(key) ? REDACTED : redact(inner, depth + 1);
  return out;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes to stdout synchronously: a Lambda freeze or a kill -9 loses no line already logged. A
 * pipe that is full for a moment (EAGAIN) is waited for, a millisecond at a time.
 */
const stdout = {
  write(line: string) {
    let rest = Buffer.from(line);
    while (rest.length > 0) {
      try {
        rest = rest.subarray(writeSync(1, rest));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        Atomics.wait(pause, 0, 0, 1);
      }
    }
  },
};

/**
 * One JSON object per line: level, time (ISO), the fields, and msg. Written synchronously. It does
 * what the service needs and no more, so a Lambda cold start pays for no logging library.
 */
export function jsonLogger(level: LogLevel = 'info', destination: { write(line: string): void } = stdout): Logger {
  const threshold = RANK[level];
  const emit = (name: 'info' | 'warn' | 'error') => {
    if (RANK[name] < threshold) return () => {};
    return (message: string, fields?: LogFields) => {
      const entry = { level: name, time: new Date().toISOString(), ...(redact(fields ?? {}, 0) as Record<string, unknown>), msg: message };
      destination.write(`${JSON.stringify(entry)}\n`);
    };
  };
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const logLevel = (raw: string | undefined): LogLevel => {
  const level = (raw?.trim().toLowerCase() || 'info') as LogLevel;
  return LOG_LEVELS.includes(level) ? level : 'info';
};
