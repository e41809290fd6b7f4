import type { IncomingMessage } from 'node:http';
import { plausibleApiKey, readBearerToken } from './read-bearer-token.js';

/** The request headers a caller's key may be read from. */
export type ApiKeyHeader = 'authorization' | 'api-key' | 'x-api-key';
export const API_KEY_HEADERS: readonly ApiKeyHeader[] = ['authorization', 'api-key', 'x-api-key'];

export type FoundApiKey = { kind: 'missing' } | { kind: 'malformed' } | { kind: 'invalid' } | { kind: 'key'; key: string };

/** The first of `headers` that the request carries, read without trusting it. */
export function readApiKey(req: IncomingMessage, headers: readonly ApiKeyHeader[]): FoundApiKey {
  for (const header of headers) {
    const value = req.headers[header];
    if (value === undefined || (typeof value === 'string' && value.trim() === '')) continue;
    if (header === 'authorization') {
      const bearer = readBearerToken(String(value));
      return bearer.kind === 'token' ? { kind: 'key', key: bearer.token } : bearer;
    }
    const key = String(value).trim();
    return plausibleApiKey.test(key) ? { kind: 'key', key } : { kind: 'invalid' };
  }
  return { kind: 'missing' };
}
