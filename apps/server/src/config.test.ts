import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig, type GatewayConfig } from './config.js';

const defaults: GatewayConfig = {
  port: 8000,
  host: '0.0.0.0',
  bodyLimitBytes: 10 * 1024 * 1024,
  dashscopeBaseUrl: 'https://dashscope.aliyuncs.com',
  bodyTimeoutMs: 30_000,
  bufferMemoryLimitBytes: 256 * 1024 * 1024,
  bufferMemoryPerIpBytes: 64 * 1024 * 1024,
  maxMessages: 2048,
  maxTextChars: 2_000_000,
  maxJsonDepth: 64,
  maxJsonValues: 200_000,
  headersTimeoutMs: 20_000,
  keepAliveTimeoutMs: 75_000,
  maxConnections: 2048,
  maxConnectionsPerIp: 128,
  sendTimeoutMs: 60_000,
  shutdownDrainMs: 8_000,
  upstreamConnectTimeoutMs: 10_000,
  upstreamTimeoutMs: 300_000,
  upstreamIdleTimeoutMs: 180_000,
  streamMaxDurationMs: 1_800_000,
  heartbeatIntervalMs: 15_000,
  upstreamMaxSockets: 256,
  upstreamQueueTimeoutMs: 5_000,
  upstreamBatchConcurrency: 4,
  upstreamMaxIdleSockets: 256,
  upstreamIdleSocketTimeoutMs: 10_000,
  upstreamMaxJsonBytes: 64 * 1024 * 1024,
  upstreamMaxStreamBytes: 256 * 1024 * 1024,
  upstreamMaxLineChars: 1_048_576,
  upstreamMaxEventChars: 4_194_304,
  logLevel: 'info',
  logFormat: 'text',
  corsOrigins: '*',
  keyHashSecret: undefined,
  trustProxy: false,
  rateLimitIpPerMinute: 600,
  rateLimitKeyPerMinute: 600,
  maxConcurrentPerKey: 32,
  redisUrl: undefined,
};

function configError(environment: Record<string, string>): ConfigError {
  try {
    loadConfig(environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(environment)}`);
}

describe('loadConfig defaults', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual(defaults);
  });

  it('counts empty strings as unset', () => {
    const empty = Object.fromEntries(
      [
        'PORT',
        'HOST',
        'BODY_LIMIT',
        'DASHSCOPE_BASE_URL',
        'UPSTREAM_TIMEOUT_MS',
        'LOG_LEVEL',
        'LOG_FORMAT',
        'CORS_ORIGINS',
        'KEY_HASH_SECRET',
        'TRUST_PROXY',
      ].map((name) => [name, '']),
    );
    expect(loadConfig(empty)).toEqual(defaults);
  });

  it('ignores unrelated variables', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '/root', NODE_ENV: 'production' })).toEqual(defaults);
  });
});

describe('loadConfig parsing', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['8080', 8080],
    ['65535', 65535],
  ])('PORT=%s → %i', (value, port) => {
    expect(loadConfig({ PORT: value }).port).toBe(port);
  });

  it('takes HOST as given', () => {
    expect(loadConfig({ HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '::' }).host).toBe('::');
  });

  it.each([
    ['1048576', 1_048_576],
    ['512kb', 524_288],
    ['10mb', 10_485_760],
    ['10MB', 10_485_760],
    ['1gb', 1024 ** 3],
    ['100b', 100],
    ['512 kb', 524_288],
  ])('BODY_LIMIT=%s → %i bytes', (value, bytes) => {
    expect(loadConfig({ BODY_LIMIT: value }).bodyLimitBytes).toBe(bytes);
  });

  it('sizes the buffer memory, in all and per client address, to hold at least one whole body when unset', () => {
    const large = loadConfig({ BODY_LIMIT: '300mb' });
    expect(large.bufferMemoryLimitBytes).toBe(300 * 1024 * 1024);
    expect(large.bufferMemoryPerIpBytes).toBe(300 * 1024 * 1024);
    const middling = loadConfig({ BODY_LIMIT: '100mb' });
    expect(middling.bufferMemoryLimitBytes).toBe(256 * 1024 * 1024);
    expect(middling.bufferMemoryPerIpBytes).toBe(100 * 1024 * 1024);
    expect(loadConfig({ BUFFER_MEMORY_PER_IP: '10mb' }).bufferMemoryPerIpBytes).toBe(10 * 1024 * 1024);
  });

  it.each([
    ['https://dashscope-intl.aliyuncs.com', 'https://dashscope-intl.aliyuncs.com'],
    ['https://dashscope.aliyuncs.com/', 'https://dashscope.aliyuncs.com'],
    ['http://127.0.0.1:8001//', 'http://127.0.0.1:8001'],
    ['https://proxy.example/dashscope', 'https://proxy.example/dashscope'],
    ['https://proxy.example/dashscope/', 'https://proxy.example/dashscope'],
  ])('DASHSCOPE_BASE_URL=%s → %s', (value, url) => {
    expect(loadConfig({ DASHSCOPE_BASE_URL: value }).dashscopeBaseUrl).toBe(url);
  });

  it.each([
    ['1', 1],
    ['60000', 60_000],
    ['3600000', 3_600_000],
  ])('UPSTREAM_TIMEOUT_MS=%s → %i', (value, ms) => {
    expect(loadConfig({ UPSTREAM_TIMEOUT_MS: value }).upstreamTimeoutMs).toBe(ms);
  });

  it.each(['debug', 'info', 'warn', 'error', 'silent'] as const)('LOG_LEVEL=%s', (level) => {
    expect(loadConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
  });

  it.each(['text', 'json'] as const)('LOG_FORMAT=%s', (format) => {
    expect(loadConfig({ LOG_FORMAT: format }).logFormat).toBe(format);
  });

  it.each([
    ['*', '*'],
    ['https://a.example', ['https://a.example']],
    ['https://a.example, https://b.example', ['https://a.example', 'https://b.example']],
    [' https://a.example ,,http://localhost:3000 ', ['https://a.example', 'http://localhost:3000']],
    ['https://a.example, *', '*'],
  ])('CORS_ORIGINS=%j → %j', (value, origins) => {
    expect(loadConfig({ CORS_ORIGINS: value }).corsOrigins).toEqual(origins);
  });

  it('takes KEY_HASH_SECRET as given', () => {
    expect(loadConfig({ KEY_HASH_SECRET: 'pepper' }).keyHashSecret).toBe('pepper');
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['0', 0],
    ['loopback', 'loopback'],
    ['10.0.0.0/8, 127.0.0.1', '10.0.0.0/8, 127.0.0.1'],
  ])('TRUST_PROXY=%s → %j', (value, trust) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(trust);
  });

  it('reads every variable at once', () => {
    expect(
      loadConfig({
        PORT: '9000',
        HOST: '127.0.0.1',
        BODY_LIMIT: '1mb',
        DASHSCOPE_BASE_URL: 'http://127.0.0.1:8001/',
        UPSTREAM_TIMEOUT_MS: '5000',
        BODY_TIMEOUT_MS: '1000',
        BUFFER_MEMORY_LIMIT: '64mb',
        BUFFER_MEMORY_PER_IP: '16mb',
        MAX_MESSAGES: '10',
        MAX_TEXT_CHARS: '100',
        MAX_JSON_DEPTH: '16',
        MAX_JSON_VALUES: '5000',
        HEADERS_TIMEOUT_MS: '2000',
        KEEP_ALIVE_TIMEOUT_MS: '65000',
        MAX_CONNECTIONS: '100',
        MAX_CONNECTIONS_PER_IP: '0',
        SEND_TIMEOUT_MS: '3000',
        SHUTDOWN_DRAIN_MS: '0',
        UPSTREAM_CONNECT_TIMEOUT_MS: '4000',
        UPSTREAM_IDLE_TIMEOUT_MS: '6000',
        STREAM_MAX_DURATION_MS: '7000',
        HEARTBEAT_INTERVAL_MS: '0',
        UPSTREAM_MAX_SOCKETS: '8',
        UPSTREAM_QUEUE_TIMEOUT_MS: '9000',
        UPSTREAM_BATCH_CONCURRENCY: '2',
        UPSTREAM_MAX_IDLE_SOCKETS: '4',
        UPSTREAM_IDLE_SOCKET_TIMEOUT_MS: '3000',
        UPSTREAM_MAX_JSON_BYTES: '1kb',
        UPSTREAM_MAX_STREAM_BYTES: '2kb',
        UPSTREAM_MAX_LINE_CHARS: '300',
        UPSTREAM_MAX_EVENT_CHARS: '400',
        RATE_LIMIT_IP_PER_MINUTE: '0',
        RATE_LIMIT_KEY_PER_MINUTE: '60',
        MAX_CONCURRENT_PER_KEY: '2',
        REDIS_URL: 'redis://127.0.0.1:6380/1',
        LOG_LEVEL: 'debug',
        LOG_FORMAT: 'json',
        CORS_ORIGINS: 'https://app.example',
        KEY_HASH_SECRET: 's3cret',
        TRUST_PROXY: '1',
      }),
    ).toEqual({
      port: 9000,
      host: '127.0.0.1',
      bodyLimitBytes: 1_048_576,
      dashscopeBaseUrl: 'http://127.0.0.1:8001',
      upstreamTimeoutMs: 5000,
      bodyTimeoutMs: 1000,
      bufferMemoryLimitBytes: 64 * 1024 * 1024,
      bufferMemoryPerIpBytes: 16 * 1024 * 1024,
      maxMessages: 10,
      maxTextChars: 100,
      maxJsonDepth: 16,
      maxJsonValues: 5000,
      headersTimeoutMs: 2000,
      keepAliveTimeoutMs: 65000,
      maxConnections: 100,
      maxConnectionsPerIp: 0,
      sendTimeoutMs: 3000,
      shutdownDrainMs: 0,
      upstreamConnectTimeoutMs: 4000,
      upstreamIdleTimeoutMs: 6000,
      streamMaxDurationMs: 7000,
      heartbeatIntervalMs: 0,
      upstreamMaxSockets: 8,
      upstreamQueueTimeoutMs: 9000,
      upstreamBatchConcurrency: 2,
      upstreamMaxIdleSockets: 4,
      upstreamIdleSocketTimeoutMs: 3000,
      upstreamMaxJsonBytes: 1024,
      upstreamMaxStreamBytes: 2048,
      upstreamMaxLineChars: 300,
      upstreamMaxEventChars: 400,
      rateLimitIpPerMinute: 0,
      rateLimitKeyPerMinute: 60,
      maxConcurrentPerKey: 2,
      redisUrl: 'redis://127.0.0.1:6380/1',
      logLevel: 'debug',
      logFormat: 'json',
      corsOrigins: ['https://app.example'],
      keyHashSecret: 's3cret',
      trustProxy: 1,
    });
  });
});

describe('loadConfig refuses bad values', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['BODY_LIMIT', 'ten'],
    ['BODY_LIMIT', '0'],
    ['BODY_LIMIT', '1.5mb'],
    ['BODY_LIMIT', '10tb'],
    ['DASHSCOPE_BASE_URL', 'ftp://x'],
    ['DASHSCOPE_BASE_URL', 'nope'],
    ['DASHSCOPE_BASE_URL', 'dashscope.aliyuncs.com'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_LEVEL', 'INFO'],
    ['LOG_FORMAT', 'xml'],
    ['CORS_ORIGINS', 'not a url'],
    ['CORS_ORIGINS', 'https://a.example/path'],
    ['CORS_ORIGINS', ','],
    ['UPSTREAM_TIMEOUT_MS', '0'],
    ['UPSTREAM_TIMEOUT_MS', 'soon'],
    ['UPSTREAM_TIMEOUT_MS', '3600001'],
    ['BODY_TIMEOUT_MS', '0'],
    ['BUFFER_MEMORY_LIMIT', 'lots'],
    ['BUFFER_MEMORY_PER_IP', 'lots'],
    ['BUFFER_MEMORY_PER_IP', '0'],
    ['MAX_MESSAGES', '0'],
    ['MAX_JSON_DEPTH', '0'],
    ['MAX_JSON_DEPTH', 'deep'],
    ['MAX_JSON_VALUES', '1e5'],
    ['MAX_JSON_VALUES', '0'],
    ['HEADERS_TIMEOUT_MS', '-5'],
    ['HEARTBEAT_INTERVAL_MS', 'often'],
    ['UPSTREAM_MAX_SOCKETS', '0'],
    ['UPSTREAM_MAX_EVENT_CHARS', '1e6'],
    ['TRUST_PROXY', 'yes'],
    ['TRUST_PROXY', '10.0.0.0/8, nginx'],
    ['TRUST_PROXY', '10.0.0.0/33'],
  ])('%s=%j throws a ConfigError naming the variable and the value', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.name).toBe('ConfigError');
    expect(error.message).toContain(`${name}=${JSON.stringify(value)}`);
  });

  it('refuses a BUFFER_MEMORY_LIMIT that cannot hold one whole body, naming both variables', () => {
    const error = configError({ BODY_LIMIT: '10mb', BUFFER_MEMORY_LIMIT: '1mb' });
    expect(error.message).toContain('BUFFER_MEMORY_LIMIT="1mb": must be at least BODY_LIMIT');
  });

  it('refuses a BUFFER_MEMORY_PER_IP that cannot hold one whole body, naming both variables', () => {
    const error = configError({ BODY_LIMIT: '10mb', BUFFER_MEMORY_PER_IP: '8mb' });
    expect(error.message).toContain('BUFFER_MEMORY_PER_IP="8mb": must be at least BODY_LIMIT');
  });

  it('says what would be accepted', () => {
    expect(configError({ PORT: 'abc' }).message).toMatch(/PORT="abc": must be a whole number between 0 and 65535/);
    expect(configError({ LOG_LEVEL: 'loud' }).message).toMatch(/LOG_LEVEL="loud": must be one of debug, info, warn, error, silent/);
    expect(configError({ BODY_LIMIT: 'ten' }).message).toMatch(/BODY_LIMIT="ten": must be a size such as 1048576, 512kb or 10mb/);
  });

  it('lists every bad variable, one per line', () => {
    const error = configError({ PORT: 'abc', LOG_FORMAT: 'xml', HOST: '127.0.0.1' });
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('Invalid configuration:');
    expect(lines.filter((line) => line.startsWith('  '))).toHaveLength(2);
    expect(error.message).toContain('PORT="abc"');
    expect(error.message).toContain('LOG_FORMAT="xml"');
    expect(error.message).not.toContain('HOST');
  });

  it('does not echo KEY_HASH_SECRET when another variable is wrong', () => {
    const error = configError({ PORT: 'abc', KEY_HASH_SECRET: 'super-secret-pepper' });
    expect(error.message).not.toContain('super-secret-pepper');
  });
});
