import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import morgan from 'morgan';
import { createApiKeyHasher, type ApiKeyHasher } from './hash-api-key.js';
import { createLogger, type Logger } from './logger.js';
import { readBearerToken } from './read-bearer-token.js';

export interface RequestLoggerOptions {
  logger?: Logger;
  hashApiKey?: ApiKeyHasher;
}

type TokenIndexer = morgan.TokenIndexer<IncomingMessage, ServerResponse>;

/**
 * Two lines per request, as the original product logged them: "Request started" when it arrives and
 * "Request completed" when the response ends (streams included), each with the client IP and the key's
 * fingerprint, never the key itself, and never prompts or answers. The path is logged without its query.
 */
export function requestLogger({ logger = createLogger(), hashApiKey = createApiKeyHasher() }: RequestLoggerOptions = {}) {
  const skip = () => !logger.isEnabled('info');
  const stream = { write: () => undefined };

  // Computed once per request, for both lines.
  const keyHashes = new WeakMap<IncomingMessage, string>();
  const keyHash = (req: IncomingMessage): string => {
    let hash = keyHashes.get(req);
    if (hash === undefined) {
      const bearer = readBearerToken(req.headers.authorization);
      hash = bearer.kind === 'token' ? hashApiKey(bearer.token) : '-';
      keyHashes.set(req, hash);
    }
    return hash;
  };
  const clientIp = (req: IncomingMessage): string => (req as Request).ip ?? req.socket.remoteAddress ?? '-';
  const path = (req: IncomingMessage): string => ((req as Request).originalUrl ?? req.url ?? '').split('?')[0] ?? '';

  // morgan times the request and fires at its end (streams included). Its tokens are registered on the
  // module, shared by every logger in the process, so the fingerprint (which depends on this logger's
  // hasher) is computed here, and the line goes to our logger, so LOG_FORMAT and LOG_LEVEL apply.
  const started = morgan(
    (_tokens: TokenIndexer, req) => {
      logger.info('Request started', { ip: clientIp(req), method: req.method, path: path(req), key_hash: keyHash(req) });
      return null;
    },
    { immediate: true, skip, stream },
  );

  const completed = morgan(
    (tokens: TokenIndexer, req, res) => {
      const totalMs = Number(tokens['total-time']?.(req, res, '3') ?? NaN);
      const status = res.headersSent ? res.statusCode : '-';
      logger.info('Request completed', {
        ip: clientIp(req),
        status,
        duration_ms: Number.isFinite(totalMs) ? totalMs : undefined,
        key_hash: keyHash(req),
      });
      return null;
    },
    { skip, stream },
  );

  return function requestLoggerMiddleware(req: Request, res: Response, next: NextFunction): void {
    started(req, res, (error?: unknown) => {
      if (error !== undefined) return next(error);
      completed(req, res, next);
    });
  };
}
