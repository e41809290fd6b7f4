import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The gateway's configuration, read from the environment once at boot and validated, so a bad value
 * stops the process with a clear message instead of failing on the first request.
 */

const byteSize = z
  .string()
  .regex(/^\d+\s*(b|kb|mb|gb)?$/i, 'must be a size such as 1048576, 512kb or 10mb')
  .transform((value) => {
    const match = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(value);
    const units: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
    return Number(match?.[1]) * (units[(match?.[2] ?? 'b').toLowerCase()] ?? 1);
  })
  .refine((bytes) => bytes > 0, 'must be larger than 0');

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
    .transform(Number)
    .refine((value) => value >= min && value <= max, `must be a whole number between ${min} and ${max}`);

const httpUrl = z
  .string()
  .refine(
    (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
    'must be an http(s) URL such as https://dashscope.aliyuncs.com',
  )
  .transform((value) => value.replace(/\/+$/, ''));

const corsOrigins = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
  )
  .refine((origins) => origins.length > 0, 'must be * or a comma-separated list of origins')
  .refine(
    (origins) => origins.every((origin) => origin === '*' || (URL.canParse(origin) && new URL(origin).origin === origin)),
    'must be * or a comma-separated list of origins such as https://app.example.com',
  )
  .transform((origins): '*' | string[] => (origins.includes('*') ? '*' : origins));

const proxyNames = new Set(['loopback', 'linklocal', 'uniquelocal']);
const isProxyAddress = (entry: string): boolean => {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (rest.length > 0 || family === 0) return proxyNames.has(entry);
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
};

/** `TRUST_PROXY` as Express's "trust proxy" setting: true/false, a hop count, or addresses/subnets. */
const trustProxy = z
  .string()
  .refine(
    (value) => /^(true|false|\d+)$/.test(value) || value.split(',').every((entry) => isProxyAddress(entry.trim())),
    'must be true, false, a hop count, or a comma-separated list of addresses, subnets, loopback, linklocal or uniquelocal',
  )
  .transform((value): boolean | number | string => {
    if (value === 'true') return true;
    if (value === 'false') return false;
    if (/^\d+$/.test(value)) return Number(value);
    return value;
  });

/** `REDIS_URL`: where rate-limit counters are shared, as ioredis reads it. */
const redisUrl = z
  .string()
  .refine(
    (value) => URL.canParse(value) && /^rediss?:$/.test(new URL(value).protocol),
    'must be a redis:// or rediss:// URL such as redis://redis:6379',
  );

// An empty variable (`KEY=` in an env file) counts as unset, so it gets the default too.
const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema);

/** The environment as the gateway reads it; each default is given in its parsed form. */
const environmentSchema = z.object({
  PORT: unsetIfEmpty(integer(0, 65535).default(8000)),
  HOST: unsetIfEmpty(z.string().default('0.0.0.0')),
  BODY_LIMIT: unsetIfEmpty(byteSize.default(10 * 1024 * 1024)),
  DASHSCOPE_BASE_URL: unsetIfEmpty(httpUrl.default('https://dashscope.aliyuncs.com')),
  BODY_TIMEOUT_MS: unsetIfEmpty(integer(1, 3_600_000).default(30_000)),
  // Unset: 256 MB, or BODY_LIMIT when that is larger (one whole body must fit).
  BUFFER_MEMORY_LIMIT: unsetIfEmpty(byteSize.optional()),
  // Unset: 64 MB, or BODY_LIMIT when that is larger.
  BUFFER_MEMORY_PER_IP: unsetIfEmpty(byteSize.optional()),
  MAX_MESSAGES: unsetIfEmpty(integer(1, 1_000_000).default(2048)),
  MAX_TEXT_CHARS: unsetIfEmpty(integer(1, 1_000_000_000).default(2_000_000)),
  MAX_JSON_DEPTH: unsetIfEmpty(integer(1, 100_000).default(64)),
  MAX_JSON_VALUES: unsetIfEmpty(integer(1, 1_000_000_000).default(200_000)),
  HEADERS_TIMEOUT_MS: unsetIfEmpty(integer(1, 3_600_000).default(20_000)),
  KEEP_ALIVE_TIMEOUT_MS: unsetIfEmpty(integer(1, 3_600_000).default(75_000)),
  MAX_CONNECTIONS: unsetIfEmpty(integer(1, 1_000_000).default(2048)),
  MAX_CONNECTIONS_PER_IP: unsetIfEmpty(integer(0, 1_000_000).default(128)),
  SEND_TIMEOUT_MS: unsetIfEmpty(integer(1, 3_600_000).default(60_000)),
  SHUTDOWN_DRAIN_MS: unsetIfEmpty(integer(0, 3_600_000).default(8_000)),
  UPSTREAM_CONNECT_TIMEOUT_MS: unsetIfEmpty(integer(1, 3_600_000).default(10_000)),
  UPSTREAM_TIMEOUT_MS: unsetIfEmpty(integer(1, 3_600_000).default(300_000)),
  UPSTREAM_IDLE_TIMEOUT_MS: unsetIfEmpty(integer(1, 3_600_000).default(180_000)),
  STREAM_MAX_DURATION_MS: unsetIfEmpty(integer(1, 86_400_000).default(1_800_000)),
  HEARTBEAT_INTERVAL_MS: unsetIfEmpty(integer(0, 3_600_000).default(15_000)),
  UPSTREAM_MAX_SOCKETS: unsetIfEmpty(integer(1, 100_000).default(256)),
  UPSTREAM_QUEUE_TIMEOUT_MS: unsetIfEmpty(integer(1, 3_600_000).default(5_000)),
  UPSTREAM_BATCH_CONCURRENCY: unsetIfEmpty(integer(1, 64).default(4)),
  // Unset: UPSTREAM_MAX_SOCKETS, so a burst's connections all serve the next burst.
  UPSTREAM_MAX_IDLE_SOCKETS: unsetIfEmpty(integer(1, 100_000).optional()),
  UPSTREAM_IDLE_SOCKET_TIMEOUT_MS: unsetIfEmpty(integer(1, 3_600_000).default(10_000)),
  UPSTREAM_MAX_JSON_BYTES: unsetIfEmpty(byteSize.default(64 * 1024 * 1024)),
  UPSTREAM_MAX_STREAM_BYTES: unsetIfEmpty(byteSize.default(256 * 1024 * 1024)),
  UPSTREAM_MAX_LINE_CHARS: unsetIfEmpty(integer(1, 1_000_000_000).default(1_048_576)),
  UPSTREAM_MAX_EVENT_CHARS: unsetIfEmpty(integer(1, 1_000_000_000).default(4_194_304)),
  LOG_LEVEL: unsetIfEmpty(
    z.enum(['debug', 'info', 'warn', 'error', 'silent'], { error: 'must be one of debug, info, warn, error, silent' }).default('info'),
  ),
  LOG_FORMAT: unsetIfEmpty(z.enum(['text', 'json'], { error: 'must be text or json' }).default('text')),
  CORS_ORIGINS: unsetIfEmpty(corsOrigins.default('*')),
  KEY_HASH_SECRET: unsetIfEmpty(z.string().optional()),
  TRUST_PROXY: unsetIfEmpty(trustProxy.default(false)),
  RATE_LIMIT_IP_PER_MINUTE: unsetIfEmpty(integer(0, 10_000_000).default(600)),
  RATE_LIMIT_KEY_PER_MINUTE: unsetIfEmpty(integer(0, 10_000_000).default(600)),
  MAX_CONCURRENT_PER_KEY: unsetIfEmpty(integer(0, 1_000_000).default(32)),
  REDIS_URL: unsetIfEmpty(redisUrl.optional()),
});

type Environment = z.output<typeof environmentSchema>;

/** A budget must hold one whole body (of any client, or of each client). */
const holdsOneBody = (name: 'BUFFER_MEMORY_LIMIT' | 'BUFFER_MEMORY_PER_IP') => ({
  check: (environment: Environment) => environment[name] === undefined || environment[name] >= environment.BODY_LIMIT,
  where: { path: [name], message: 'must be at least BODY_LIMIT (one whole body must fit)' },
});
const bufferLimit = holdsOneBody('BUFFER_MEMORY_LIMIT');
const bufferPerIp = holdsOneBody('BUFFER_MEMORY_PER_IP');

const configSchema = environmentSchema
  .refine(bufferLimit.check, bufferLimit.where)
  .refine(bufferPerIp.check, bufferPerIp.where)
  .transform((environment) => ({
    port: environment.PORT,
    host: environment.HOST,
    bodyLimitBytes: environment.BODY_LIMIT,
    dashscopeBaseUrl: environment.DASHSCOPE_BASE_URL,
    bodyTimeoutMs: environment.BODY_TIMEOUT_MS,
    bufferMemoryLimitBytes: environment.BUFFER_MEMORY_LIMIT ?? Math.max(256 * 1024 * 1024, environment.BODY_LIMIT),
    bufferMemoryPerIpBytes: environment.BUFFER_MEMORY_PER_IP ?? Math.max(64 * 1024 * 1024, environment.BODY_LIMIT),
    maxMessages: environment.MAX_MESSAGES,
    maxTextChars: environment.MAX_TEXT_CHARS,
    maxJsonDepth: environment.MAX_JSON_DEPTH,
    maxJsonValues: environment.MAX_JSON_VALUES,
    headersTimeoutMs: environment.HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: environment.KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: environment.MAX_CONNECTIONS,
    maxConnectionsPerIp: environment.MAX_CONNECTIONS_PER_IP,
    sendTimeoutMs: environment.SEND_TIMEOUT_MS,
    shutdownDrainMs: environment.SHUTDOWN_DRAIN_MS,
    upstreamConnectTimeoutMs: environment.UPSTREAM_CONNECT_TIMEOUT_MS,
    upstreamTimeoutMs: environment.UPSTREAM_TIMEOUT_MS,
    upstreamIdleTimeoutMs: environment.UPSTREAM_IDLE_TIMEOUT_MS,
    streamMaxDurationMs: environment.STREAM_MAX_DURATION_MS,
    heartbeatIntervalMs: environment.HEARTBEAT_INTERVAL_MS,
    upstreamMaxSockets: environment.UPSTREAM_MAX_SOCKETS,
    upstreamQueueTimeoutMs: environment.UPSTREAM_QUEUE_TIMEOUT_MS,
    upstreamBatchConcurrency: environment.UPSTREAM_BATCH_CONCURRENCY,
    upstreamMaxIdleSockets: environment.UPSTREAM_MAX_IDLE_SOCKETS ?? environment.UPSTREAM_MAX_SOCKETS,
    upstreamIdleSocketTimeoutMs: environment.UPSTREAM_IDLE_SOCKET_TIMEOUT_MS,
    upstreamMaxJsonBytes: environment.UPSTREAM_MAX_JSON_BYTES,
    upstreamMaxStreamBytes: environment.UPSTREAM_MAX_STREAM_BYTES,
    upstreamMaxLineChars: environment.UPSTREAM_MAX_LINE_CHARS,
    upstreamMaxEventChars: environment.UPSTREAM_MAX_EVENT_CHARS,
    logLevel: environment.LOG_LEVEL,
    logFormat: environment.LOG_FORMAT,
    corsOrigins: environment.CORS_ORIGINS,
    keyHashSecret: environment.KEY_HASH_SECRET,
    trustProxy: environment.TRUST_PROXY,
    rateLimitIpPerMinute: environment.RATE_LIMIT_IP_PER_MINUTE,
    rateLimitKeyPerMinute: environment.RATE_LIMIT_KEY_PER_MINUTE,
    maxConcurrentPerKey: environment.MAX_CONCURRENT_PER_KEY,
    redisUrl: environment.REDIS_URL,
  }));

/** Every environment variable the gateway reads (README and .env.example list the same). */
export const CONFIG_VARIABLES = Object.keys(environmentSchema.shape) as ReadonlyArray<keyof typeof environmentSchema.shape>;

export type GatewayConfig = z.output<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(environment: Readonly<Record<string, string | undefined>>): GatewayConfig {
  const result = configSchema.safeParse(environment);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `  ${name}=${JSON.stringify(environment[name] ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  return result.data;
}
