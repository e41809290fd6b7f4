import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createApiKeyHasher } from './hash-api-key.js';

const key = 'sk-fake-key-for-tests';

describe('createApiKeyHasher', () => {
  it('defaults to the first 8 hex characters of the key’s MD5, as the original product logged', () => {
    const hash = createApiKeyHasher();
    const expected = createHash('md5').update(key).digest('hex').slice(0, 8);
    expect(hash(key)).toBe(expected);
    expect(hash(key)).toMatch(/^[0-9a-f]{8}$/);
    // Known answer, from `echo -n sk-fake-key-for-tests | md5sum`.
    expect(hash(key)).toBe('0428da5f');
    expect(createApiKeyHasher({ secret: undefined })(key)).toBe(expected);
  });

  it('is stable per key and differs between keys', () => {
    const hash = createApiKeyHasher();
    expect(hash(key)).toBe(hash(key));
    expect(hash(`${key}x`)).not.toBe(hash(key));
  });

  it('uses the first 8 hex characters of HMAC-SHA-256 with a secret', () => {
    const hash = createApiKeyHasher({ secret: 'pepper' });
    const expected = createHmac('sha256', 'pepper').update(key).digest('hex').slice(0, 8);
    expect(hash(key)).toBe(expected);
    // Known answer, from `echo -n sk-fake-key-for-tests | openssl dgst -sha256 -hmac pepper`.
    expect(hash(key)).toBe('dcc2c8a3');
    expect(hash(key)).not.toBe(createHash('md5').update(key).digest('hex').slice(0, 8));
  });

  it('gives different fingerprints for different secrets', () => {
    expect(createApiKeyHasher({ secret: 'one' })(key)).not.toBe(createApiKeyHasher({ secret: 'two' })(key));
  });

  it('never returns the key or a part of it', () => {
    for (const hash of [createApiKeyHasher(), createApiKeyHasher({ secret: 's' })]) {
      expect(hash(key)).not.toContain('sk-');
      expect(key).not.toContain(hash(key));
    }
  });

  it('refuses an empty secret at construction', () => {
    expect(() => createApiKeyHasher({ secret: '' })).toThrow(TypeError);
    expect(() => createApiKeyHasher({ secret: '' })).toThrow(/secret/);
  });
});
