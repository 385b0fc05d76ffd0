import type { Redactor } from './redactor.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * Writes redacted lines to a stream (stderr by default); nothing below `level`. `json`: one object
 * per line ({"time","type":"log","level","message"}), for log collectors (`--log-format json`).
 */
export function createLogger(opts: { level: LogLevel; redactor: Redactor; write?: (line: string) => void; format?: 'text' | 'json'; now?: () => number }): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = opts.now ?? Date.now;
  const at = (level: LogLevel) => (msg: string) => {
    if (ORDER[level] < ORDER[opts.level]) return;
    const text = opts.redactor.redact(msg);
    write(opts.format === 'json' ? JSON.stringify({ time: new Date(now()).toISOString(), type: 'log', level, message: text }) : level === 'info' ? text : `${level}: ${text}`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
