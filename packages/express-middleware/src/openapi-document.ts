import type { Request, RequestHandler, Response } from 'express';
import { buildOpenAPIDocument, type BuildOpenAPIDocumentOptions } from '@gw/core';

export type OpenAPIDocumentOptions = BuildOpenAPIDocumentOptions;

/**
 * A GET handler answering the gateway's OpenAPI 3.1 document as JSON. Built once, when the handler is
 * made: the endpoint table does not change while the server runs, and a broken document fails at start.
 */
export function openAPIDocument(options: OpenAPIDocumentOptions): RequestHandler {
  const body = JSON.stringify(buildOpenAPIDocument(options));
  return function openAPIDocumentHandler(_req: Request, res: Response): void {
    res.set('x-content-type-options', 'nosniff');
    res.set('cache-control', 'public, max-age=300');
    res.type('application/json').send(body);
  };
}
