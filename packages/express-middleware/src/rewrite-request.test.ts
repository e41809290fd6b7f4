import { describe, expect, it } from '@jest/globals';
import express, { type Express, type Request, type Response } from 'express';
import request from 'supertest';
import { chatCompletionsEndpoint, DEFAULT_REQUEST_LIMITS, type RequestLimits, type UpstreamEndpoint } from '@gw/core';
import { assertOpenAIShape } from '@gw/testkit';
import { gatewayState } from './gateway-state.js';
import { jsonBody } from './json-body.js';
import { createLogger } from './logger.js';
import { openAIErrorHandler } from './openai-error-handler.js';
import { rewriteRequest, type RewriteRequestOptions } from './rewrite-request.js';

const logger = createLogger({ level: 'silent' });

/** jsonBody → rewriteRequest → a route that shows the prepared call's model; records the limits parse saw. */
function createTestApp(options: Partial<RewriteRequestOptions>): { app: Express; seen: Array<RequestLimits | undefined> } {
  const seen: Array<RequestLimits | undefined> = [];
  const endpoint: UpstreamEndpoint<unknown> = {
    ...(chatCompletionsEndpoint as UpstreamEndpoint<unknown>),
    parse(body, limits) {
      seen.push(limits);
      return chatCompletionsEndpoint.parse(body, limits);
    },
  };
  const app = express();
  app.post('/chat', jsonBody(), rewriteRequest({ endpoint, logger, ...options }), (_req: Request, res: Response) => {
    res.json({ model: gatewayState(res).call?.model ?? null });
  });
  app.use(openAIErrorHandler({ logger }));
  return { app, seen };
}

const messages = (count: number) => Array.from({ length: count }, () => ({ role: 'user', content: 'hi' }));

describe('rewriteRequest and the request limits', () => {
  it('passes DEFAULT_REQUEST_LIMITS to the endpoint’s parse by default', async () => {
    const { app, seen } = createTestApp({});
    const response = await request(app)
      .post('/chat')
      .send({ model: 'qwen-turbo', messages: messages(3) });
    expect(response.status).toBe(200);
    expect(seen).toEqual([DEFAULT_REQUEST_LIMITS]);
  });

  it('passes its own limits, so a body over them gets a 400 naming messages', async () => {
    const limits = { maxMessages: 2, maxTextLength: 100 };
    const { app, seen } = createTestApp({ limits });
    const fits = await request(app)
      .post('/chat')
      .send({ model: 'qwen-turbo', messages: messages(2) });
    expect(fits.status).toBe(200);
    const tooMany = await request(app)
      .post('/chat')
      .send({ model: 'qwen-turbo', messages: messages(3) });
    expect(tooMany.status).toBe(400);
    assertOpenAIShape('ErrorResponse', tooMany.body);
    expect(tooMany.body.error).toMatchObject({ type: 'invalid_request_error', param: 'messages', code: 'array_above_max_length' });
    const tooLong = await request(app)
      .post('/chat')
      .send({ model: 'qwen-turbo', messages: [{ role: 'user', content: 'x'.repeat(101) }] });
    expect(tooLong.body.error).toMatchObject({ param: 'messages', code: 'string_above_max_length' });
    expect(seen).toEqual([limits, limits, limits]);
  });

  it('refuses limits that are not positive integers, at construction', () => {
    for (const limits of [{ maxMessages: 0, maxTextLength: 10 }, { maxMessages: 10, maxTextLength: 1.5 }, { maxMessages: 10 }, null]) {
      expect(() =>
        rewriteRequest({ endpoint: chatCompletionsEndpoint as UpstreamEndpoint<unknown>, limits: limits as RequestLimits }),
      ).toThrow(TypeError);
    }
  });
});
