import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { invalidRequest } from '@gw/core';

export interface JsonBodyOptions {
  /** Largest body accepted, in bytes or as "10mb"; larger bodies get a 413. */
  limit?: number | string;
}

/**
 * Parses the JSON body whatever the Content-Type (curl's -d sends form encoding by default). A host app
 * that already parsed the body keeps its parse: a parsed object is used as is, text or bytes are parsed.
 */
export function jsonBody({ limit = '10mb' }: JsonBodyOptions = {}) {
  const parse = express.json({ limit, type: () => true, strict: false });
  return function jsonBodyMiddleware(req: Request, res: Response, next: NextFunction): void {
    const body: unknown = req.body;
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      try {
        req.body = JSON.parse(body.toString()) as unknown;
      } catch {
        next(invalidRequest('We could not parse the JSON body of your request.', { code: 'invalid_json' }));
        return;
      }
      next();
      return;
    }
    parse(req, res, next);
  };
}
