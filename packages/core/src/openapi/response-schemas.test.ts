import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import type { UpstreamEndpoint } from '../endpoints/gateway-endpoint.js';
import { OPENAI_ENDPOINTS } from '../endpoints/openai-endpoints.js';
import type { UpstreamCall } from '../endpoints/upstream-call.js';
import { parseDashScopeErrorResponse } from '../errors/parse-dashscope-error-response.js';
import { toOpenAIError } from '../errors/to-openai-error.js';
import { upstreamTimeout } from '../errors/upstream-transport-error.js';
import { listModels, retrieveModel } from '../models/model-catalogue.js';
import { parseChatCompletionRequest } from '../openai/parse-chat-completion-request.js';
import type { StreamPart } from '../stream/stream-part.js';
import { ENDPOINT_DOCS, type EndpointDoc } from './endpoint-docs.js';
import { embeddingListSchema, errorResponseSchema, modelListSchema, modelSchema } from './response-schemas.js';

/**
 * The documented response schemas against what the gateway really answers: each endpoint of the table
 * prepares each of its documented examples, and recorded DashScope replies go through the prepared call.
 * Parsing strips the fields a schema does not name, so `toEqual` also catches a field the converters add
 * and the document does not mention.
 */

const fixturesUrl = new URL('../__fixtures__/', import.meta.url);
const fixtures = readdirSync(fixturesUrl);
const read = (name: string) => readFileSync(new URL(name, fixturesUrl), 'utf8');
const isError = (name: string) => name.includes('error');
const isChat = (name: string) => !isError(name) && (name.startsWith('single-generation') || name.startsWith('multimodal-generation'));
const chatJson = fixtures.filter((name) => isChat(name) && name.endsWith('.json'));
const chatSse = fixtures.filter((name) => isChat(name) && name.endsWith('.sse'));
const errorReplies = fixtures.filter(isError);

interface Replies {
  json: Array<{ name: string; body: unknown }>;
  sse: Array<{ name: string; text: string }>;
}

const chatReplies = (): Replies => ({
  json: chatJson.map((name) => ({ name, body: JSON.parse(read(name)) })),
  sse: chatSse.map((name) => ({ name, text: read(name) })),
});

/** The recorded embedding, once per text the part sends, as DashScope answers a part. */
function embeddingReplies(body: unknown): Replies {
  const recorded = JSON.parse(read('text-embedding-nosse.json')) as { output: { embeddings: Array<{ embedding: number[] }> } };
  const texts = (body as { input: { texts: unknown[] } }).input.texts;
  const embedding = recorded.output.embeddings[0]?.embedding;
  const reply = { ...recorded, output: { embeddings: texts.map((_text, textIndex) => ({ embedding, text_index: textIndex })) } };
  return { json: [{ name: 'text-embedding-nosse.json', body: reply }], sse: [] };
}

/** Recorded replies fit for each upstream endpoint, given the DashScope body of its call. */
const REPLIES: Record<string, (body: unknown) => Replies> = {
  'chat.completions': chatReplies,
  'completions.create': chatReplies,
  'embeddings.create': embeddingReplies,
};

const context = { created: 1_700_000_000, generateId: () => 'generated-id' };

function expectDocumented(schema: z.ZodType, value: unknown) {
  expect(schema.parse(value)).toEqual(value);
}

/** Every answer the prepared call gives for the replies, with the schema that documents it. */
function answers(call: UpstreamCall, replies: Replies, doc: EndpointDoc): Array<{ schema: z.ZodType; body: unknown }> {
  if (call.kind === 'json') return replies.json.map(({ body }) => ({ schema: doc.response.schema, body: call.convertResponse(body).body }));
  if (call.kind === 'batch') {
    const body = call.convertResponses(call.bodies.map(() => replies.json[0]?.body)).body;
    return [{ schema: doc.response.schema, body }];
  }
  const dataSchema = call.respondAs === 'json' ? doc.response.schema : (doc.stream?.schema ?? doc.response.schema);
  return replies.sse.flatMap(({ text }) => {
    const translator = call.createStreamTranslator({});
    const parts: Array<StreamPart> = [...translator.push(text), ...translator.end()];
    return parts.flatMap((part) => {
      if (part.type === 'data') return [{ schema: dataSchema, body: part.data }];
      if (part.type === 'error') return [{ schema: errorResponseSchema as z.ZodType, body: toOpenAIError(part.error).body }];
      return [];
    });
  });
}

const upstreamEndpoints = OPENAI_ENDPOINTS.filter((endpoint): endpoint is UpstreamEndpoint => endpoint.kind === 'upstream');

describe('documented response schemas vs. what the endpoints answer', () => {
  it('has recorded replies for every upstream endpoint of the table', () => {
    expect(chatJson.length).toBeGreaterThan(3);
    expect(chatSse.length).toBeGreaterThan(3);
    for (const endpoint of upstreamEndpoints) expect(Object.keys(REPLIES)).toContain(endpoint.id);
  });

  describe.each(upstreamEndpoints.map((endpoint) => [endpoint.id, endpoint] as const))('%s', (id, endpoint) => {
    const doc = ENDPOINT_DOCS[id] as EndpointDoc;
    it.each(Object.entries(doc.requestExamples ?? {}))('answers to the example "%s"', (_name, example) => {
      const call = endpoint.prepare(endpoint.parse(example.value).request, context);
      const answered = answers(call, (REPLIES[id] as (body: unknown) => Replies)(call.body), doc);
      expect(answered.length).toBeGreaterThan(0);
      for (const { schema, body } of answered) expectDocumented(schema, body);
    });
  });

  it('sees tool-call deltas, reasoning and logprobs among the chat answers', () => {
    const chat = upstreamEndpoints.find((endpoint) => endpoint.id === 'chat.completions') as UpstreamEndpoint;
    const doc = ENDPOINT_DOCS['chat.completions'] as EndpointDoc;
    const streamed = answers(chat.prepare(chat.parse(doc.requestExamples?.stream?.value).request, context), chatReplies(), doc);
    const text = JSON.stringify(streamed);
    expect(text).toContain('"tool_calls":[{"index":1');
    expect(text).toContain('"reasoning_content"');
    const plain = answers(chat.prepare(chat.parse(doc.requestExamples?.plain?.value).request, context), chatReplies(), doc);
    expect(JSON.stringify(plain)).toContain('"top_logprobs"');
  });

  it.each(errorReplies)('the error body from %s', (name) => {
    if (name.endsWith('.sse')) return; // a stream's error event: covered with the stream examples above
    const status = name.startsWith('auth') ? 401 : 400;
    const error = parseDashScopeErrorResponse({ status, contentType: 'application/json', text: read(name) });
    expectDocumented(errorResponseSchema, toOpenAIError(error).body);
  });

  it("the gateway's own errors: a 400 naming a param, an upstream timeout, an unknown failure", () => {
    let invalid: unknown;
    try {
      parseChatCompletionRequest({ model: 'qwen-plus', messages: [], temperature: 9 });
    } catch (error) {
      invalid = error;
    }
    expect(invalid).toBeDefined();
    for (const error of [invalid, upstreamTimeout(), new Error('boom')]) expectDocumented(errorResponseSchema, toOpenAIError(error).body);
  });

  it('the model list and each model', () => {
    const list = listModels();
    expectDocumented(modelListSchema, list);
    for (const { id } of list.data) expectDocumented(modelSchema, retrieveModel(id));
  });

  it('an embedding list as floats and as base64', () => {
    const list = (embedding: number[] | string) => ({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding }],
      model: 'text-embedding-v4',
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
    expectDocumented(embeddingListSchema, list([0.1, -0.2]));
    expectDocumented(embeddingListSchema, list('zczMPc3MTL4='));
  });

  it.each(Object.entries(ENDPOINT_DOCS))('the response example of %s', (_id, doc) => {
    if (doc.response.example !== undefined) expectDocumented(doc.response.schema, doc.response.example);
  });

  it.each(Object.entries(ENDPOINT_DOCS).filter(([, doc]) => doc.stream !== undefined))('the stream example of %s', (_id, doc) => {
    const events = doc.stream?.example.split('\n\n').filter((event) => event !== '') ?? [];
    expect(events.at(-1)).toBe('data: [DONE]');
    for (const event of events.slice(0, -1)) {
      expect(event.startsWith('data: ')).toBe(true);
      expectDocumented(doc.stream?.schema as z.ZodType, JSON.parse(event.slice('data: '.length)));
    }
  });
});
