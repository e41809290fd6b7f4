import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import morgan from 'morgan';
import { createCallReport } from './call-report.js';
import { gatewayState } from './gateway-state.js';
import { createApiKeyHasher, type ApiKeyHasher } from './hash-api-key.js';
import { createLogger, type Logger } from './logger.js';
import { readApiKey, type ApiKeyHeader } from './read-api-key.js';

export interface RequestLoggerOptions {
  logger?: Logger;
  /** Use the same hasher as extractApiKey: the fingerprint is computed once, by whichever runs first. */
  hashApiKey?: ApiKeyHasher;
  /** Where keys are read from for the fingerprint (as extractApiKey's `headers`); default authorization. */
  apiKeyHeaders?: readonly ApiKeyHeader[];
}

/**
 * Two lines per request, as the original product logged them: "Request started" when it arrives and
 * "Request completed" when the response is over (streams included), each with the client IP and the
 * key's fingerprint, never the key itself, and never prompts or answers. The completed line is the
 * call report: a stream that failed midway is logged with its error code beside its 200.
 */
export function requestLogger({
  logger = createLogger(),
  hashApiKey = createApiKeyHasher(),
  apiKeyHeaders = ['authorization'],
}: RequestLoggerOptions = {}) {
  const skip = () => !logger.isEnabled('info');
  const stream = { write: () => undefined };

  const keyHash = (req: IncomingMessage, res: ServerResponse): string => {
    const state = gatewayState(res as Response);
    if (state.keyHash === undefined) {
      const found = readApiKey(req, apiKeyHeaders);
      if (found.kind === 'key') state.keyHash = hashApiKey(found.key);
    }
    return state.keyHash ?? '-';
  };
  const clientIp = (req: IncomingMessage): string => (req as Request).ip ?? req.socket.remoteAddress ?? '-';
  const path = (req: IncomingMessage): string => ((req as Request).originalUrl ?? req.url ?? '').split('?')[0] ?? '';

  const logStarted = (req: Request, res: Response): void => {
    logger.info('Request started', {
      ip: clientIp(req),
      method: req.method,
      path: path(req),
      key_hash: keyHash(req, res),
      request_id: gatewayState(res).requestId,
    });
  };

  // morgan fires once the response is over (streams and aborted clients included). Its lines go to our
  // logger, so LOG_FORMAT and LOG_LEVEL apply.
  const completed = morgan(
    (_tokens, req, res) => {
      const report = createCallReport(req as Request, res as Response);
      logger.info('Request completed', {
        ip: clientIp(req),
        status: report.status ?? '-',
        duration_ms: report.durationMs,
        key_hash: keyHash(req, res),
        // After the original product's fields, so log tooling that reads them keeps working.
        error_code: report.errorCode ?? undefined,
        request_id: report.requestId,
        outcome: report.outcome,
        dashscope_code: report.upstreamErrorCode,
        dashscope_request_id: report.upstreamRequestId,
        bytes_sent: report.bytesSent,
        events_sent: report.eventsSent,
        prompt_tokens: report.usage?.prompt_tokens,
        completion_tokens: report.usage?.completion_tokens,
      });
      return null;
    },
    { skip, stream },
  );

  return function requestLoggerMiddleware(req: Request, res: Response, next: NextFunction): void {
    gatewayState(res);
    // The started line needs nothing from the response: written at once, without a second morgan.
    if (!skip()) logStarted(req, res);
    completed(req, res, next);
  };
}
