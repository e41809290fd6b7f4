import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '@gw/core';

/** Unknown routes get OpenAI's 404 (`Invalid URL (POST /v1/foo)`), not Express's HTML page. */
export function openAINotFound() {
  return function openAINotFoundMiddleware(req: Request, _res: Response, next: NextFunction): void {
    const path = req.originalUrl.split('?')[0] ?? req.originalUrl;
    next(
      new GatewayError({ status: 404, type: 'invalid_request_error', code: 'unknown_url', message: `Invalid URL (${req.method} ${path})` }),
    );
  };
}
