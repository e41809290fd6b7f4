import type { NextFunction, Request, Response } from 'express';
import { createLogger, type Logger } from './logger.js';
import { normalizeError } from './normalize-error.js';
import { sendOpenAIError } from './send-openai-error.js';
import { toOpenAIError } from '@gw/core';

export interface OpenAIErrorHandlerOptions {
  logger?: Logger;
}

/** Express error handler: every error leaves as `{"error":{"message","type","param","code"}}`. */
export function openAIErrorHandler({ logger = createLogger() }: OpenAIErrorHandlerOptions = {}) {
  return function openAIErrorHandlerMiddleware(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
    const normalized = normalizeError(error);
    const { status, body } = toOpenAIError(normalized);
    if (status >= 500) {
      logger.error('Request failed', { status, code: body.error.code ?? undefined, error: describe(normalized) });
    }
    sendOpenAIError(res, normalized);
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}
