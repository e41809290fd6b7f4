import type { Response } from 'express';
import { toOpenAIError } from '@gw/core';
import { gatewayState, markFirstByte } from './gateway-state.js';

/** Answers with the OpenAI error body and status for any error; the one place errors meet HTTP. */
export function sendOpenAIError(res: Response, error: unknown): void {
  gatewayState(res).error = error;
  if (res.headersSent) {
    // Too late for a status code: whoever started the body decides how it ends; just make sure it does.
    if (!res.writableEnded) res.end();
    return;
  }
  const { status, headers, body } = toOpenAIError(error);
  markFirstByte(res);
  res.status(status).set(headers).json(body);
}
