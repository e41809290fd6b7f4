export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFormat = 'text' | 'json';
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  readonly level: LogLevel;
  readonly format: LogFormat;
  isEnabled(level: Exclude<LogLevel, 'silent'>): boolean;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go; one call per line, newline included. */
  write?: (line: string) => void;
  now?: () => Date;
}

/** Text lines name fields as the original product did ("API Key Hash: a1b2c3d4", "Time: 2.34s"). */
const textFields: Readonly<Record<string, { label: string; render?: (value: string | number | boolean) => string }>> = {
  ip: { label: 'IP' },
  method: { label: 'Method' },
  path: { label: 'Path' },
  status: { label: 'Status' },
  error_code: { label: 'Error' },
  code: { label: 'Code' },
  duration_ms: { label: 'Time', render: (value) => `${(Number(value) / 1000).toFixed(3)}s` },
  key_hash: { label: 'API Key Hash' },
  request_id: { label: 'Request ID' },
  outcome: { label: 'Outcome' },
  dashscope_code: { label: 'DashScope Code' },
  dashscope_request_id: { label: 'DashScope Request ID' },
  bytes_sent: { label: 'Bytes Sent' },
  events_sent: { label: 'Events Sent' },
  prompt_tokens: { label: 'Prompt Tokens' },
  completion_tokens: { label: 'Completion Tokens' },
  cause: { label: 'Cause' },
};

const severity: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** `2024-01-01 12:00:00`, the original product's log timestamp (in UTC here). */
export function formatLogTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * A small leveled logger: text lines in the original product's shape (`<time> - <message> - <fields>`)
 * or one JSON object per line for log pipelines.
 */
export function createLogger({
  level = 'info',
  format = 'text',
  write = writeToStdout,
  now = () => new Date(),
}: LoggerOptions = {}): Logger {
  if (!Object.hasOwn(severity, level)) throw new TypeError(`createLogger: unknown level "${level}"`);
  if (format !== 'text' && format !== 'json') throw new TypeError(`createLogger: unknown format "${String(format)}"`);

  function log(entryLevel: Exclude<LogLevel, 'silent'>, message: string, fields: LogFields = {}): void {
    if (severity[entryLevel] < severity[level]) return;
    const time = now();
    if (format === 'json') {
      const entry: Record<string, unknown> = { time: time.toISOString(), level: entryLevel, msg: message };
      // No field may overwrite the entry's own keys.
      for (const [key, value] of Object.entries(fields)) if (!Object.hasOwn(entry, key)) entry[key] = value;
      write(`${JSON.stringify(entry)}\n`);
      return;
    }
    const details = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => {
        const field = textFields[key];
        const rendered = field?.render && value !== undefined ? field.render(value) : String(value);
        return `${field?.label ?? key}: ${escapeControls(rendered)}`;
      })
      .join(', ');
    write(
      `${formatLogTimestamp(time)} - ${entryLevel === 'info' ? '' : `${entryLevel.toUpperCase()} - `}${escapeControls(message)}${details === '' ? '' : ` - ${details}`}\n`,
    );
  }

  return {
    level,
    format,
    isEnabled: (entryLevel) => severity[entryLevel] >= severity[level],
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
  };
}

/**
 * A text line is one line: newlines and other control characters in a value (DashScope's text, a
 * client's header) are written as escapes, so nobody can forge log lines through them.
 */
function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Lines written in the same turn of the event loop leave in one write: two lines per request would
 * otherwise be two system calls on the request's path (stdout is synchronous for files and pipes).
 * Whatever is pending is written before the process exits.
 */
let pendingLines: string[] = [];
function writeToStdout(line: string): void {
  if (pendingLines.length === 0) {
    setImmediate(flushLines);
    if (!flushOnExit) {
      flushOnExit = true;
      process.once('exit', flushLines);
    }
  }
  pendingLines.push(line);
}
let flushOnExit = false;
function flushLines(): void {
  if (pendingLines.length === 0) return;
  const text = pendingLines.join('');
  pendingLines = [];
  process.stdout.write(text);
}
