// Random invalid or mistyped chat bodies, posted through the router to a fake DashScope: each gets a
// 4xx OpenAI error, never a 5xx, never a crash, and none reaches DashScope.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import fc from 'fast-check';
import { createLogger, createMemoryBudget, createOpenAIRouter } from '@gw/express-middleware';
import { startFakeDashScope, type FakeDashScope } from '@gw/fake-dashscope';
import { validateOpenAIShape } from '@gw/testkit';

type Kind = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

const kindOf = (value: unknown): Kind => (value === null ? 'null' : Array.isArray(value) ? 'array' : (typeof value as Kind));

/** What each field of a chat request accepts, as JSON kinds (null means "not set" except for the first two). */
const FIELD_KINDS: Readonly<Record<string, readonly Kind[]>> = {
  model: ['string'],
  messages: ['array'],
  stream: ['boolean', 'null'],
  stream_options: ['object', 'null'],
  temperature: ['number', 'null'],
  top_p: ['number', 'null'],
  max_tokens: ['number', 'null'],
  max_completion_tokens: ['number', 'null'],
  stop: ['string', 'array', 'null'],
  seed: ['number', 'null'],
  presence_penalty: ['number', 'null'],
  frequency_penalty: ['number', 'null'],
  user: ['string', 'null'],
  safety_identifier: ['string', 'null'],
  prompt_cache_key: ['string', 'null'],
  parallel_tool_calls: ['boolean', 'null'],
  tools: ['array', 'null'],
  tool_choice: ['string', 'object', 'null'],
  functions: ['array', 'null'],
  function_call: ['string', 'object', 'null'],
  n: ['number', 'null'],
  logprobs: ['boolean', 'null'],
  top_logprobs: ['number', 'null'],
  logit_bias: ['object', 'null'],
  response_format: ['object', 'null'],
  modalities: ['array', 'null'],
  audio: ['object', 'null'],
  prediction: ['object', 'null'],
  web_search_options: ['object', 'null'],
  reasoning_effort: ['string', 'null'],
  verbosity: ['string', 'null'],
  store: ['boolean', 'null'],
  metadata: ['object', 'null'],
  service_tier: ['string', 'null'],
};

const NUMERIC_FIELDS = Object.keys(FIELD_KINDS).filter((field) => FIELD_KINDS[field]?.includes('number'));
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
const VALID = { model: 'qwen-turbo', messages: [{ role: 'user', content: 'hi' }] };
const VALID_MESSAGES = JSON.stringify(VALID.messages);

const junk = fc.jsonValue({ maxDepth: 3 });
const PROTOTYPE_BEFORE = Object.getOwnPropertyNames(Object.prototype).sort();

/** A body that is valid but for one field, which holds a value of a kind that field never accepts. */
const wrongTypeField = fc
  .constantFrom(...Object.keys(FIELD_KINDS))
  .chain((field) =>
    junk
      .filter((value) => !(FIELD_KINDS[field] ?? []).includes(kindOf(value)))
      .map((value) => JSON.stringify({ ...VALID, [field]: value })),
  );

/** A required field left out, with or without other (valid) fields beside it. */
const missingField = fc
  .record({ drop: fc.constantFrom('model', 'messages'), stream: fc.option(fc.boolean(), { nil: undefined }) })
  .map(({ drop, stream }) => {
    const body: Record<string, unknown> = { ...VALID, stream };
    delete body[drop];
    return JSON.stringify(body);
  });

/** Any JSON that is not an object. */
const notAnObject = junk.filter((value) => kindOf(value) !== 'object').map((value) => JSON.stringify(value));

/** Bytes that are not JSON at all. */
const notJson = fc.uint8Array({ minLength: 1, maxLength: 300 }).filter((bytes) => {
  try {
    JSON.parse(Buffer.from(bytes).toString('utf8'));
    return false;
  } catch {
    return true;
  }
});

/** Numbers no numeric field accepts: out of every range, past the safe integers, or infinite once parsed. */
const hugeNumber = fc
  .record({
    field: fc.constantFrom(...NUMERIC_FIELDS),
    literal: fc.constantFrom('1e999', '-1e999', '1e308', '-1e308', '1e20', '-1e20', '9007199254740993', '-9007199254740993'),
  })
  .map(({ field, literal }) => `{"model":"qwen-turbo","messages":${VALID_MESSAGES},"${field}":${literal}}`);

/** Messages that are not messages: wrong roles, wrong content, junk parts, junk fields. */
const isTextPart = (value: unknown) =>
  kindOf(value) === 'object' && (value as { type?: unknown }).type === 'text' && typeof (value as { text?: unknown }).text === 'string';
const badMessage = fc.oneof(
  junk.filter((value) => kindOf(value) !== 'object'),
  fc.record({ role: junk.filter((role) => !['system', 'developer', 'user', 'assistant'].includes(role as string)), content: junk }),
  fc.record({ role: fc.constant('user'), content: junk.filter((content) => !['string', 'array'].includes(kindOf(content))) }),
  fc.record({
    role: fc.constant('user'),
    content: fc.array(
      junk.filter((part) => !isTextPart(part)),
      { minLength: 1, maxLength: 4 },
    ),
  }),
  fc.record({ role: fc.constant('user'), content: fc.string(), name: junk.filter((name) => typeof name !== 'string') }),
);
const mistypedMessages = fc
  .record({ before: fc.array(fc.constant(VALID.messages[0]), { maxLength: 2 }), bad: badMessage })
  .map(({ before, bad }) => JSON.stringify({ ...VALID, messages: [...before, bad] }));

/** Deeply nested arrays or objects, in places that take no such thing. */
const nestedJunk = fc
  .record({
    depth: fc.integer({ min: 50, max: 50_000 }),
    shape: fc.constantFrom('array', 'object'),
    place: fc.constantFrom('content', 'tools', 'metadata', 'unknown', 'message', 'stop'),
  })
  .map(({ depth, shape, place }) => {
    const deep = shape === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    switch (place) {
      case 'content':
        return `{"model":"qwen-turbo","messages":[{"role":"user","content":[${deep}]}]}`;
      case 'tools':
        return `{"model":"qwen-turbo","messages":${VALID_MESSAGES},"tools":[${deep}]}`;
      case 'metadata':
        return `{"model":"qwen-turbo","messages":${VALID_MESSAGES},"metadata":{"key":${deep}}}`;
      case 'message':
        return `{"model":"qwen-turbo","messages":[${deep}]}`;
      case 'stop':
        return `{"model":"qwen-turbo","messages":${VALID_MESSAGES},"stop":[${deep}]}`;
      default:
        return `{"model":"qwen-turbo","messages":${VALID_MESSAGES},"junk":${deep}}`;
    }
  });

/**
 * Floods of small values (empty objects and arrays, numbers, short strings), around the default cap of
 * 200,000 values (json_too_complex past it, checked before parsing).
 */
const valueFlood = fc
  .record({
    count: fc.integer({ min: 90_000, max: 250_000 }),
    shape: fc.constantFrom('[]', '{}', '[{}]', '0', '"a"', '{"k":null}'),
    place: fc.constantFrom('content', 'metadata', 'unknown', 'top'),
  })
  .map(({ count, shape, place }) => {
    const flood = `[${Array.from({ length: count }, () => shape).join(',')}]`;
    switch (place) {
      case 'content':
        return `{"model":"qwen-turbo","messages":[{"role":"user","content":${flood}}]}`;
      case 'metadata':
        return `{"model":"qwen-turbo","messages":${VALID_MESSAGES},"metadata":{"key":${flood}}}`;
      case 'top':
        return flood;
      default:
        return `{"model":"qwen-turbo","messages":${VALID_MESSAGES},"junk":${flood}}`;
    }
  });

/** Keys that name Object.prototype's members, at the top, in a message, in a part or in stream_options. */
const prototypeKeys = fc
  .record({
    key: fc.constantFrom(...PROTOTYPE_KEYS),
    value: junk,
    place: fc.constantFrom('top', 'message', 'part', 'stream_options'),
  })
  .map(({ key, value, place }) => {
    const member = `${JSON.stringify(key)}:${JSON.stringify(value)}`;
    switch (place) {
      case 'message':
        return `{"model":"qwen-turbo","messages":[{"role":"user","content":"hi",${member}}]}`;
      case 'part':
        return `{"model":"qwen-turbo","messages":[{"role":"user","content":[{"type":"text","text":"hi",${member}}]}]}`;
      case 'stream_options':
        return `{"model":"qwen-turbo","messages":${VALID_MESSAGES},"stream":true,"stream_options":{${member}}}`;
      default:
        return `{"model":"qwen-turbo","messages":${VALID_MESSAGES},${member}}`;
    }
  });

let fake: FakeDashScope;
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  fake = await startFakeDashScope();
  const app = express();
  app.use(
    '/v1',
    createOpenAIRouter({
      dashscopeBaseUrl: fake.url,
      logger: createLogger({ level: 'silent' }),
      memoryBudget: createMemoryBudget({ maxBytes: 64 * 1024 * 1024 }),
    }),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
  close = async () => {
    server.closeAllConnections();
    await Promise.all([new Promise((resolve) => server.close(resolve)), fake.close()]);
  };
});

afterAll(async () => {
  await close();
});

/** The property every family shares: a 4xx OpenAI error for the body, whatever it is. */
async function expectClientError(body: string | Uint8Array): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-made-up-key', 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  const shown = typeof body === 'string' ? body.slice(0, 300) : `${body.length} bytes`;
  if (response.status < 400 || response.status >= 500) throw new Error(`${response.status} for ${shown}: ${text.slice(0, 300)}`);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const problems = validateOpenAIShape('ErrorResponse', JSON.parse(text));
  if (problems.length > 0) throw new Error(`not an OpenAI error for ${shown}: ${text.slice(0, 300)}`);
}

describe('invalid chat bodies get a 4xx OpenAI error, never a 5xx', () => {
  const runs = { numRuns: 60 };

  it('a field of the wrong type', async () => {
    await fc.assert(fc.asyncProperty(wrongTypeField, expectClientError), { numRuns: 150 });
  });

  it('a required field missing', async () => {
    await fc.assert(fc.asyncProperty(missingField, expectClientError), { numRuns: 10 });
  });

  it('JSON that is not an object', async () => {
    await fc.assert(fc.asyncProperty(notAnObject, expectClientError), runs);
  });

  it('bytes that are not JSON', async () => {
    await fc.assert(fc.asyncProperty(notJson, expectClientError), runs);
  });

  it('huge and infinite numbers', async () => {
    await fc.assert(fc.asyncProperty(hugeNumber, expectClientError), runs);
  });

  it('mistyped messages', async () => {
    await fc.assert(fc.asyncProperty(mistypedMessages, expectClientError), { numRuns: 100 });
  });

  it('deeply nested junk', async () => {
    await fc.assert(fc.asyncProperty(nestedJunk, expectClientError), { numRuns: 40 });
  });

  it('floods of small values', async () => {
    await fc.assert(fc.asyncProperty(valueFlood, expectClientError), { numRuns: 12 });
  });

  it('keys named after Object.prototype’s members, with no pollution left behind', async () => {
    await fc.assert(fc.asyncProperty(prototypeKeys, expectClientError), runs);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_BEFORE);
  });

  it('and none of them reached DashScope', async () => {
    expect(fake.requests).toHaveLength(0);
  });
});
