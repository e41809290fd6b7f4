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

// An empty variable (`KEY=` in an env file) counts as unset, so it gets the default too.
const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema);

/** The environment as the gateway reads it; each default is given in its parsed form. */
const environmentSchema = z.object({
  PORT: unsetIfEmpty(integer(0, 65535).default(8000)),
  HOST: unsetIfEmpty(z.string().default('0.0.0.0')),
  BODY_LIMIT: unsetIfEmpty(byteSize.default(10 * 1024 * 1024)),
  DASHSCOPE_BASE_URL: unsetIfEmpty(httpUrl.default('https://dashscope.aliyuncs.com')),
  UPSTREAM_TIMEOUT_MS: unsetIfEmpty(integer(1, 3_600_000).default(300_000)),
  LOG_LEVEL: unsetIfEmpty(
    z.enum(['debug', 'info', 'warn', 'error', 'silent'], { error: 'must be one of debug, info, warn, error, silent' }).default('info'),
  ),
  LOG_FORMAT: unsetIfEmpty(z.enum(['text', 'json'], { error: 'must be text or json' }).default('text')),
  CORS_ORIGINS: unsetIfEmpty(corsOrigins.default('*')),
  KEY_HASH_SECRET: unsetIfEmpty(z.string().optional()),
  TRUST_PROXY: unsetIfEmpty(trustProxy.default(false)),
});

const configSchema = environmentSchema.transform((environment) => ({
  port: environment.PORT,
  host: environment.HOST,
  bodyLimitBytes: environment.BODY_LIMIT,
  dashscopeBaseUrl: environment.DASHSCOPE_BASE_URL,
  upstreamTimeoutMs: environment.UPSTREAM_TIMEOUT_MS,
  logLevel: environment.LOG_LEVEL,
  logFormat: environment.LOG_FORMAT,
  corsOrigins: environment.CORS_ORIGINS,
  keyHashSecret: environment.KEY_HASH_SECRET,
  trustProxy: environment.TRUST_PROXY,
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
