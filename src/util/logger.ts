import type { Redactor } from './redactor.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Writes redacted lines to a stream (stderr by default); nothing below `level`. */
export function createLogger(opts: { level: LogLevel; redactor: Redactor; write?: (line: string) => void }): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const at = (level: LogLevel) => (msg: string) => {
    if (ORDER[level] >= ORDER[opts.level]) write(opts.redactor.redact(level === 'info' ? msg : `${level}: ${msg}`));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
