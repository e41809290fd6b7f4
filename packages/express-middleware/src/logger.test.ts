import { describe, expect, it } from '@jest/globals';
import { createLogger, formatLogTimestamp, type LoggerOptions } from './logger.js';

const fixedNow = () => new Date('2024-01-01T12:00:00.000Z');

function capture(options: Omit<LoggerOptions, 'write' | 'now'> = {}) {
  const lines: string[] = [];
  const logger = createLogger({ ...options, now: fixedNow, write: (line) => void lines.push(line) });
  return { logger, lines };
}

describe('formatLogTimestamp', () => {
  it('writes the original product’s timestamp, in UTC', () => {
    expect(formatLogTimestamp(new Date('2024-01-01T12:00:00.999Z'))).toBe('2024-01-01 12:00:00');
    expect(formatLogTimestamp(new Date('2023-12-31T23:59:59Z'))).toBe('2023-12-31 23:59:59');
  });
});

describe('createLogger, text format', () => {
  it('writes the original product’s "Request started" line', () => {
    const { logger, lines } = capture();
    logger.info('Request started', { ip: '1.2.3.4', method: 'POST', path: '/v1/x', key_hash: 'a1b2c3d4' });
    expect(lines).toEqual(['2024-01-01 12:00:00 - Request started - IP: 1.2.3.4, Method: POST, Path: /v1/x, API Key Hash: a1b2c3d4\n']);
  });

  it('renders duration_ms as seconds with three decimals ("Time: 2.340s")', () => {
    const { logger, lines } = capture();
    logger.info('Request completed', { ip: '1.2.3.4', status: 200, duration_ms: 2340, key_hash: 'a1b2c3d4' });
    expect(lines).toEqual(['2024-01-01 12:00:00 - Request completed - IP: 1.2.3.4, Status: 200, Time: 2.340s, API Key Hash: a1b2c3d4\n']);
  });

  it('drops undefined fields, keeps unknown ones under their own name, and omits an empty field list', () => {
    const { logger, lines } = capture();
    logger.info('Hello', { ip: '1.2.3.4', duration_ms: undefined, upstream: 'http://x' });
    logger.info('Bare');
    expect(lines).toEqual(['2024-01-01 12:00:00 - Hello - IP: 1.2.3.4, upstream: http://x\n', '2024-01-01 12:00:00 - Bare\n']);
  });

  it('marks levels other than info', () => {
    const { logger, lines } = capture({ level: 'debug' });
    logger.debug('d');
    logger.warn('w', { status: 429 });
    logger.error('e');
    expect(lines).toEqual([
      '2024-01-01 12:00:00 - DEBUG - d\n',
      '2024-01-01 12:00:00 - WARN - w - Status: 429\n',
      '2024-01-01 12:00:00 - ERROR - e\n',
    ]);
  });

  it('writes exactly one call per line, each ending in a newline', () => {
    const { logger, lines } = capture();
    logger.info('one', { path: '/a' });
    logger.info('two');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.match(/\n/g)).toHaveLength(1);
  });

  it('escapes newlines and other control characters in messages and fields, so no line can be forged', () => {
    const { logger, lines } = capture();
    logger.error('Upstream failed\n2024-01-01 12:00:00 - Request completed - IP: 6.6.6.6', {
      dashscope_request_id: 'abc\r\nFORGED LINE',
      cause: 'a\u2028b\u0000c\u0085',
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.match(/\n/g)).toHaveLength(1);
    expect(lines[0]).toContain('Upstream failed\\u000a2024-01-01');
    expect(lines[0]).toContain('DashScope Request ID: abc\\u000d\\u000aFORGED LINE');
    expect(lines[0]).toContain('Cause: a\\u2028b\\u0000c\\u0085');
  });
});

describe('createLogger, json format', () => {
  it('writes one JSON object per line with time, level, msg and the fields', () => {
    const { logger, lines } = capture({ format: 'json' });
    logger.info('Request completed', { ip: '1.2.3.4', status: 200, duration_ms: 2340, key_hash: 'a1b2c3d4', skipped: undefined });
    logger.warn('careful');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.endsWith('\n')).toBe(true);
      expect(line.trimEnd()).not.toContain('\n');
    }
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      time: '2024-01-01T12:00:00.000Z',
      level: 'info',
      msg: 'Request completed',
      ip: '1.2.3.4',
      status: 200,
      duration_ms: 2340,
      key_hash: 'a1b2c3d4',
    });
    expect(JSON.parse(lines[1] ?? '')).toEqual({ time: '2024-01-01T12:00:00.000Z', level: 'warn', msg: 'careful' });
  });

  it('keeps a message with newlines on one line', () => {
    const { logger, lines } = capture({ format: 'json' });
    logger.error('line one\nline two');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.trimEnd()).not.toContain('\n');
    expect(JSON.parse(lines[0] ?? '').msg).toBe('line one\nline two');
  });
});

describe('createLogger, levels', () => {
  const emitAll = (level: LoggerOptions['level']) => {
    const { logger, lines } = capture(level === undefined ? {} : { level });
    logger.debug('debug');
    logger.info('info');
    logger.warn('warn');
    logger.error('error');
    return lines.map((line) => line.replace(/^.* - /, '').trim());
  };

  it.each([
    [undefined, ['info', 'warn', 'error']],
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
    ['silent', []],
  ] as const)('at level %s writes %j', (level, expected) => {
    expect(emitAll(level)).toEqual(expected);
  });

  it('reports its level, format and what it would write', () => {
    const { logger } = capture({ level: 'warn', format: 'json' });
    expect(logger.level).toBe('warn');
    expect(logger.format).toBe('json');
    expect(logger.isEnabled('info')).toBe(false);
    expect(logger.isEnabled('warn')).toBe(true);
    expect(logger.isEnabled('error')).toBe(true);
    expect(capture({ level: 'silent' }).logger.isEnabled('error')).toBe(false);
    expect(capture().logger.isEnabled('debug')).toBe(false);
  });

  it('refuses an unknown level or format at construction', () => {
    expect(() => createLogger({ level: 'loud' as never })).toThrow(/level "loud"/);
    // Names every object has must not pass for levels.
    expect(() => createLogger({ level: 'toString' as never })).toThrow(TypeError);
    expect(() => createLogger({ level: 'constructor' as never })).toThrow(TypeError);
    expect(() => createLogger({ format: 'xml' as never })).toThrow(/format "xml"/);
  });
});
