import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '@gw/core';
import { createApiKeyHasher, type ApiKeyHasher } from './hash-api-key.js';
import { gatewayMisconfigured, gatewayState } from './gateway-state.js';
import { plausibleApiKey } from './read-bearer-token.js';
import { readApiKey, type ApiKeyHeader, API_KEY_HEADERS } from './read-api-key.js';

export interface ExtractApiKeyOptions {
  /**
   * Where the caller's key may come from, tried in order: `authorization` (as `Bearer <key>`),
   * `api-key` and `x-api-key` (the key alone, as Azure-style clients send it). Default: authorization.
   */
  headers?: readonly ApiKeyHeader[];
  /**
   * Turns the credential the client sent into the DashScope key to use, e.g. a company's own tokens
   * looked up in a vault. Answer undefined to refuse it (401); a thrown GatewayError is answered as is.
   * `res` is there for the host's own bookkeeping (`res.locals.account = …`).
   */
  resolveApiKey?: (credential: string, req: Request, res: Response) => string | undefined | Promise<string | undefined>;
  /** Fingerprints the client's credential for logs and metrics; default MD5, first 8 hex. */
  hashApiKey?: ApiKeyHasher;
}

function unauthorized(code: string, message: string): GatewayError {
  return new GatewayError({ status: 401, type: 'authentication_error', code, message });
}

/**
 * Takes the caller's DashScope key into the request's gateway state, for this request only. The gateway
 * holds no key of its own: without one the request stops here with a 401.
 */
export function extractApiKey({
  headers = ['authorization'],
  resolveApiKey,
  hashApiKey = createApiKeyHasher(),
}: ExtractApiKeyOptions = {}) {
  if (!Array.isArray(headers) || headers.length === 0 || !headers.every((header) => API_KEY_HEADERS.includes(header))) {
    throw new TypeError(`extractApiKey: headers must be a non-empty list of ${API_KEY_HEADERS.map((header) => `"${header}"`).join(', ')}`);
  }
  if (resolveApiKey !== undefined && typeof resolveApiKey !== 'function')
    throw new TypeError('extractApiKey: resolveApiKey must be a function');
  const expected = headers
    .map((header) => (header === 'authorization' ? '"Authorization: Bearer <key>"' : `"${header}: <key>"`))
    .join(' or ');

  return async function extractApiKeyMiddleware(req: Request, res: Response, next: NextFunction): Promise<void> {
    const found = readApiKey(req, headers);
    if (found.kind === 'missing')
      return next(unauthorized('missing_authorization', `Missing API key. Send your DashScope API key as ${expected}.`));
    if (found.kind === 'malformed') {
      return next(
        unauthorized(
          'invalid_authorization_format',
          'Invalid Authorization header format. Expected "Authorization: Bearer <DashScope API key>".',
        ),
      );
    }
    if (found.kind === 'invalid') return next(unauthorized('invalid_api_key', 'The API key is empty or malformed.'));
    const state = gatewayState(res);
    state.keyHash ??= hashApiKey(found.key);
    if (resolveApiKey === undefined) {
      state.apiKey = found.key;
      return next();
    }
    const resolved = await resolveApiKey(found.key, req, res);
    if (resolved === undefined) return next(unauthorized('invalid_api_key', 'The API key was not accepted.'));
    if (typeof resolved !== 'string' || !plausibleApiKey.test(resolved)) {
      return next(gatewayMisconfigured('extractApiKey: resolveApiKey returned something that is not a printable API key.'));
    }
    state.apiKey = resolved;
    next();
  };
}
