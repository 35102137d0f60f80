import type { LogFields, Logger } from '../core/logger';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

/** One JSON object per line on stdout (info) or stderr (warn, error). */
export function jsonLogger(
  level: LogLevel = 'info',
  write: (line: string, isError: boolean) => void = (line, isError) => void (isError ? process.stderr : process.stdout).write(line + '\n'),
): Logger {
  const threshold = LEVELS[level];
  const emit = (name: 'info' | 'warn' | 'error') => (message: string, fields?: LogFields) => {
    if (LEVELS[name] < threshold) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: name, msg: message, ...fields }), name !== 'info');
  };
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}
