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

// An empty variable (`KEY=` in an env file) counts as unset.
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const environmentSchema = z.object({
  PORT: optional(integer(0, 65535)),
  HOST: optional(z.string()),
  BODY_LIMIT: optional(byteSize),
  DASHSCOPE_BASE_URL: optional(httpUrl),
  UPSTREAM_TIMEOUT_MS: optional(integer(1, 3_600_000)),
  LOG_LEVEL: optional(z.enum(['debug', 'info', 'warn', 'error', 'silent'], { error: 'must be one of debug, info, warn, error, silent' })),
  LOG_FORMAT: optional(z.enum(['text', 'json'], { error: 'must be text or json' })),
  CORS_ORIGINS: optional(corsOrigins),
  KEY_HASH_SECRET: optional(z.string()),
  TRUST_PROXY: optional(trustProxy),
});

/** Every environment variable the gateway reads (README and .env.example list the same). */
export const CONFIG_VARIABLES = Object.keys(environmentSchema.shape) as ReadonlyArray<keyof typeof environmentSchema.shape>;

export interface GatewayConfig {
  port: number;
  host: string;
  bodyLimitBytes: number;
  dashscopeBaseUrl: string;
  upstreamTimeoutMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  logFormat: 'text' | 'json';
  corsOrigins: '*' | string[];
  keyHashSecret: string | undefined;
  trustProxy: boolean | number | string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(environment: Readonly<Record<string, string | undefined>>): GatewayConfig {
  const result = environmentSchema.safeParse(environment);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `  ${name}=${JSON.stringify(environment[name] ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const env = result.data;
  return {
    port: env.PORT ?? 8000,
    host: env.HOST ?? '0.0.0.0',
    bodyLimitBytes: env.BODY_LIMIT ?? 10 * 1024 * 1024,
    dashscopeBaseUrl: env.DASHSCOPE_BASE_URL ?? 'https://dashscope.aliyuncs.com',
    upstreamTimeoutMs: env.UPSTREAM_TIMEOUT_MS ?? 300_000,
    logLevel: env.LOG_LEVEL ?? 'info',
    logFormat: env.LOG_FORMAT ?? 'text',
    corsOrigins: env.CORS_ORIGINS ?? '*',
    keyHashSecret: env.KEY_HASH_SECRET,
    trustProxy: env.TRUST_PROXY ?? false,
  };
}
