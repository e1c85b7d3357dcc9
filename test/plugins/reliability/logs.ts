// A logger for tests that keeps every line it is given.
import type { Logger } from '../../../kernel/index.js';

/** A logged line: level, message, data. */
export type LogLine = [string, string, Record<string, unknown> | undefined];

/** A logger that keeps what it is given, in `lines`. */
export function recorder(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, data?: Record<string, unknown>) => void lines.push([level, message, data]);
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}
