import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '@gw/core';
import { readBearerToken } from './read-bearer-token.js';
import './express-locals.js';

const failures = {
  missing: {
    code: 'missing_authorization',
    message: 'Missing Authorization header. Send your DashScope API key as "Authorization: Bearer <key>".',
  },
  malformed: {
    code: 'invalid_authorization_format',
    message: 'Invalid Authorization header format. Expected "Authorization: Bearer <DashScope API key>".',
  },
  invalid: { code: 'invalid_api_key', message: 'The API key in the Authorization header is empty or malformed.' },
} as const;

/**
 * Takes the caller's DashScope key from `Authorization: Bearer` into `res.locals.apiKey`, for this
 * request only. The gateway holds no key of its own: without one the request stops here with a 401.
 */
export function extractApiKey() {
  return function extractApiKeyMiddleware(req: Request, res: Response, next: NextFunction): void {
    const result = readBearerToken(req.headers.authorization);
    if (result.kind !== 'token') {
      const { code, message } = failures[result.kind];
      next(new GatewayError({ status: 401, type: 'authentication_error', code, message }));
      return;
    }
    res.locals.apiKey = result.token;
    next();
  };
}
