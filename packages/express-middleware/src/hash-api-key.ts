import { createHash, createHmac } from 'node:crypto';

export interface ApiKeyHasherOptions {
  /** With a secret, fingerprints are HMAC-SHA-256 and cannot be recomputed by whoever holds a key. */
  secret?: string | undefined;
}

export type ApiKeyHasher = (apiKey: string) => string;

/**
 * The short key fingerprint that logs carry instead of the key: the first 8 hex characters of the key's
 * MD5, as the original product documented (so existing log tooling keeps working), or of an
 * HMAC-SHA-256 when a secret is configured.
 */
export function createApiKeyHasher({ secret }: ApiKeyHasherOptions = {}): ApiKeyHasher {
  if (secret !== undefined && secret === '') throw new TypeError('createApiKeyHasher: secret must not be empty');
  if (secret === undefined) return (apiKey) => createHash('md5').update(apiKey).digest('hex').slice(0, 8);
  return (apiKey) => createHmac('sha256', secret).update(apiKey).digest('hex').slice(0, 8);
}
