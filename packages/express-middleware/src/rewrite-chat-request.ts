import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import {
  DASHSCOPE_TEXT_GENERATION_PATH,
  convertDashScopeResponse,
  convertToDashScopeRequest,
  createChatStreamTranslator,
  parseChatCompletionRequest,
} from '@gw/core';
import { createLogger, type Logger } from './logger.js';
import './express-locals.js';

export interface RewriteChatRequestOptions {
  logger?: Logger;
  /** Clock for `created`, in milliseconds. */
  now?: () => number;
  /** Fallback for completion ids when DashScope sends no request_id. */
  generateId?: () => string;
}

/**
 * Validates an OpenAI chat request and prepares the DashScope call for the proxy: where to send it,
 * what to send, and how to translate what comes back.
 */
export function rewriteChatRequest({ logger = createLogger(), now = Date.now, generateId = randomUUID }: RewriteChatRequestOptions = {}) {
  return function rewriteChatRequestMiddleware(req: Request, res: Response, next: NextFunction): void {
    const { request, warnings } = parseChatCompletionRequest(req.body);
    for (const warning of warnings) logger.debug(warning);
    const { body, stream, includeUsage, model } = convertToDashScopeRequest({ request });
    const created = Math.floor(now() / 1000);
    res.locals.upstream = {
      path: DASHSCOPE_TEXT_GENERATION_PATH,
      body,
      stream,
      convertResponse: (response) => convertDashScopeResponse({ response, model, created, generateId }),
      createStreamTranslator: () => createChatStreamTranslator({ model, includeUsage, created, generateId }),
    };
    next();
  };
}
