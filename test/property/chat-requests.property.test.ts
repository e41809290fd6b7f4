import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import {
  chatCompletionsEndpoint,
  findCatalogueModel,
  MODEL_CATALOGUE,
  type ChatCompletionRequest,
  type DashScopeEndpointKind,
} from '@gw/core';
// The fake's own request validation, imported from its source: @gw/core must not depend on the fake.
import {
  catalogueModelIds,
  matchEndpoint,
  parseGenerationRequest,
  type ModelCatalog,
} from '../../packages/fake-dashscope/src/endpoints.js';
import { parseRequestBody } from '../../packages/fake-dashscope/src/wire-format.js';

/**
 * Any chat request the gateway accepts must become a native request DashScope accepts. Random valid
 * OpenAI requests (every role, string and part content, the sampling parameters, the accepted no-op
 * values of refused features, streams, every chat model of the catalogue) go through the chat
 * endpoint's parse and prepare; the native body is then read by the fake DashScope's validation,
 * which answers the recorded DashScope errors, and compared with what was asked.
 */

const catalog: ModelCatalog = {
  'text-generation': new Set(catalogueModelIds('text-generation')),
  'multimodal-generation': new Set(catalogueModelIds('multimodal-generation')),
  'text-embedding': new Set(catalogueModelIds('text-embedding')),
};
const chatModels = MODEL_CATALOGUE.filter((model) => model.endpoint !== 'text-embedding').map((model) => model.id);

// Any text: ASCII, any code point (CJK, emoji, controls), whole graphemes.
const anyText = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);
const someText = fc.oneof(
  fc.string({ minLength: 1, maxLength: 24 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }),
);
const textPart = (text: fc.Arbitrary<string>) => fc.record({ type: fc.constant('text' as const), text });

/**
 * Content that is not empty once its parts are joined: DashScope refuses an empty system or user
 * turn ("Content length must be greater than 0"), which OpenAI's schema, and so the gateway, accept.
 */
const nonEmptyContent = fc.oneof(
  someText,
  fc
    .tuple(fc.array(textPart(anyText), { maxLength: 2 }), textPart(someText), fc.array(textPart(anyText), { maxLength: 2 }))
    .map(([before, part, after]) => [...before, part, ...after]),
);
const name = fc.string({ minLength: 1, maxLength: 12 });

const instructionMessage = fc.record(
  { role: fc.constantFrom('system' as const, 'developer' as const, 'user' as const), content: nonEmptyContent, name },
  { requiredKeys: ['role', 'content'] },
);
const assistantMessage = fc.record(
  {
    role: fc.constant('assistant' as const),
    content: fc.option(fc.oneof(anyText, fc.array(textPart(anyText), { minLength: 1, maxLength: 3 })), { nil: null }),
    name,
    refusal: fc.option(anyText, { nil: null }),
    tool_calls: fc.constantFrom([], null),
    function_call: fc.constant(null),
    audio: fc.constant(null),
  },
  { requiredKeys: ['role'] },
);

const nullable = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null, freq: 4 });
const stop = fc.oneof(anyText, fc.array(anyText, { minLength: 1, maxLength: 4 }));

/** Everything but the stream fields and the token limits, which depend on each other. */
const parameters = fc.record(
  {
    temperature: nullable(fc.double({ min: 0, max: 2, noNaN: true })),
    top_p: nullable(fc.double({ min: 0, max: 1, noNaN: true })),
    presence_penalty: nullable(fc.double({ min: -2, max: 2, noNaN: true })),
    seed: nullable(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constant(0))),
    stop: nullable(stop),
    user: nullable(anyText),
    safety_identifier: nullable(anyText),
    prompt_cache_key: nullable(anyText),
    parallel_tool_calls: nullable(fc.boolean()),
    // Refused features, in the values that ask for nothing and are therefore accepted.
    tools: nullable(fc.constant([])),
    tool_choice: nullable(fc.constant('none' as const)),
    functions: nullable(fc.constant([])),
    function_call: nullable(fc.constant('none' as const)),
    n: nullable(fc.constant(1)),
    frequency_penalty: nullable(fc.constant(0)),
    logprobs: nullable(fc.constant(false)),
    logit_bias: nullable(fc.constant({})),
    response_format: nullable(fc.constant({ type: 'text' as const })),
    modalities: nullable(fc.constant(['text' as const])),
    store: nullable(fc.constant(false)),
    metadata: nullable(fc.constant({})),
    service_tier: nullable(fc.constantFrom('auto' as const, 'default' as const)),
  },
  { requiredKeys: [] },
);

const maxTokens = fc.integer({ min: 1, max: 2 ** 31 - 1 });
/** max_tokens, max_completion_tokens, both (they must agree), or neither. */
const tokenLimits = fc.oneof(
  fc.constant({}),
  fc.record({ max_tokens: nullable(maxTokens) }),
  fc.record({ max_completion_tokens: nullable(maxTokens) }),
  maxTokens.map((limit) => ({ max_tokens: limit, max_completion_tokens: limit })),
);

/** stream_options only with stream: true, as OpenAI requires. */
const streamFields = fc.oneof(
  fc.record({ stream: fc.constantFrom(false, null) }, { requiredKeys: [] }),
  fc.record(
    {
      stream: fc.constant(true),
      stream_options: nullable(
        fc.record({ include_usage: nullable(fc.boolean()), include_obfuscation: nullable(fc.boolean()) }, { requiredKeys: [] }),
      ),
    },
    { requiredKeys: ['stream'] },
  ),
);

const chatRequest = fc
  .tuple(
    fc.constantFrom(...chatModels),
    fc.array(fc.oneof(instructionMessage, assistantMessage), { minLength: 1, maxLength: 6 }),
    parameters,
    tokenLimits,
    streamFields,
  )
  .map(([model, messages, parameters, tokenLimits, streamFields]) => ({ model, messages, ...parameters, ...tokenLimits, ...streamFields }));

/** What the messages say once their parts are joined: the texts DashScope must receive. */
function joinedTexts(messages: ChatCompletionRequest['messages']): string[] {
  return messages.map(({ content }) =>
    content === null || content === undefined ? '' : typeof content === 'string' ? content : content.map((part) => part.text).join(''),
  );
}

/** The native parameters the request asks for: its sampling values, nothing refused, nothing dropped. */
function expectedParameters(request: ChatCompletionRequest, endpoint: DashScopeEndpointKind): Record<string, unknown> {
  const expected: Record<string, unknown> = {};
  if (endpoint === 'text-generation') expected.result_format = 'message';
  if (request.stream === true) expected.incremental_output = true;
  for (const key of ['temperature', 'top_p', 'presence_penalty', 'seed', 'stop'] as const) {
    if (request[key] != null) expected[key] = request[key];
  }
  const limit = request.max_tokens ?? request.max_completion_tokens;
  if (limit != null) expected.max_tokens = limit;
  return expected;
}

describe('chat requests the gateway accepts (property)', () => {
  it('become native requests the fake DashScope accepts, with what the client asked for', () => {
    const seen = { multimodal: 0, stream: 0, parts: 0 };
    fc.assert(
      fc.property(chatRequest, (generated) => {
        // What a client puts on the wire.
        const body: unknown = JSON.parse(JSON.stringify(generated));
        const { request } = chatCompletionsEndpoint.parse(body);
        const call = chatCompletionsEndpoint.prepare(request, { created: 1_700_000_000, generateId: () => 'id' });

        const endpoint = matchEndpoint({ method: 'POST', url: call.path });
        expect(endpoint).toBe(findCatalogueModel(request.model)?.endpoint);
        if (endpoint === undefined || endpoint === 'text-embedding') throw new Error(`no generation endpoint for ${call.path}`);
        expect(call.kind).toBe(request.stream === true ? 'sse' : 'json');

        const wire = parseRequestBody(JSON.stringify(call.body));
        expect(wire.isJson).toBe(true);
        // Throws DashScope's own error (code and message) for a body DashScope would refuse.
        const native = parseGenerationRequest({ body: wire.value, endpoint, catalog });

        expect(native).toMatchObject({
          model: request.model,
          resultFormat: 'message',
          incrementalOutput: request.stream === true,
          maxTokens: request.max_tokens ?? request.max_completion_tokens ?? undefined,
        });
        expect(native.inputTexts).toEqual(joinedTexts(request.messages));
        const sent = wire.value as { parameters: Record<string, unknown>; input: { messages: Array<{ role: string }> } };
        expect(sent.parameters).toEqual(expectedParameters(request, endpoint));
        expect(sent.input.messages.map((message) => message.role)).toEqual(
          request.messages.map((message) => (message.role === 'developer' ? 'system' : message.role)),
        );

        if (endpoint === 'multimodal-generation') seen.multimodal++;
        if (request.stream === true) seen.stream++;
        if (request.messages.some((message) => Array.isArray(message.content))) seen.parts++;
      }),
      { numRuns: 200 },
    );
    expect(seen.multimodal).toBeGreaterThan(0);
    expect(seen.stream).toBeGreaterThan(0);
    expect(seen.parts).toBeGreaterThan(0);
  });
});
