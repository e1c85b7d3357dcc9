import type { Logger } from './plugin.js';

/** Severity levels, least severe first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * A logger writing one line per entry (`level [source] message {data}`) to `write`, dropping
 * entries below `level`. The kernel's default writes warnings and errors to stderr.
 */
export function createLogger(write: (line: string) => void, level: LogLevel = 'warn'): Logger {
  const min = LEVELS.indexOf(level);
  const entry = (at: LogLevel) => (message: string, data?: Record<string, unknown>) => {
    if (LEVELS.indexOf(at) < min) return;
    write(`${at} ${message}${data === undefined ? '' : ` ${JSON.stringify(data)}`}\n`);
  };
  return { debug: entry('debug'), info: entry('info'), warn: entry('warn'), error: entry('error') };
}

/** A logger that prefixes every message with `[source]`, for a plugin's `ctx.log`. */
export function childLogger(parent: Logger, source: string): Logger {
  const prefixed = (at: LogLevel) => (message: string, data?: Record<string, unknown>) => parent[at](`[${source}] ${message}`, data);
  return { debug: prefixed('debug'), info: prefixed('info'), warn: prefixed('warn'), error: prefixed('error') };
}
