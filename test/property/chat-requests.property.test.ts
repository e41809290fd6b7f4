import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { chatCompletionsEndpoint, findCatalogueModel, MODEL_CATALOGUE, type CatalogueModel, type ChatCompletionRequest } from '@gw/core';
// The fake's own request validation, imported from its source: @gw/core must not depend on the fake.
import {
  catalogueModelIds,
  matchEndpoint,
  parseGenerationRequest,
  type ModelCatalog,
} from '../../packages/fake-dashscope/src/endpoints.js';
import { parseRequestBody } from '../../packages/fake-dashscope/src/wire-format.js';

/**
 * Any chat request the gateway accepts, within DashScope's own ranges, must become a native request
 * DashScope accepts. Random valid OpenAI requests (every role, string and part content, images for
 * models that see, tool rounds and tools for models that call them, the sampling parameters, n,
 * logprobs, response formats, thinking knobs, the accepted no-op values of refused features, streams,
 * every chat model of the catalogue) go through the chat endpoint's parse and prepare; the native body
 * is then read by the fake DashScope's validation, which answers the recorded DashScope errors, and
 * compared with what was asked. Values OpenAI allows but DashScope does not (temperature 2, top_p 0,
 * negative seeds) are DashScope's to refuse: the gateway passes its 400 on (chat-completions.e2e).
 */

const catalog: ModelCatalog = {
  'text-generation': new Set(catalogueModelIds('text-generation')),
  'multimodal-generation': new Set(catalogueModelIds('multimodal-generation')),
  'text-embedding': new Set(catalogueModelIds('text-embedding')),
};
const chatModels = MODEL_CATALOGUE.filter((model) => model.endpoint !== 'text-embedding');

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
const imagePart = fc.record({
  type: fc.constant('image_url' as const),
  image_url: fc.record(
    {
      url: fc.constantFrom('https://example.com/a.png', 'data:image/png;base64,iVBORw0KGgo='),
      detail: fc.constantFrom('auto' as const, 'low' as const, 'high' as const),
    },
    { requiredKeys: ['url'] },
  ),
});

/** Content that is not empty once its parts are joined: the gateway refuses empty system, user and tool turns. */
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
/** A user turn with an image among its text parts, for models that see. */
const userMessageWithImage = fc
  .tuple(fc.array(textPart(anyText), { maxLength: 2 }), imagePart, textPart(someText))
  .map(([before, image, after]) => ({ role: 'user' as const, content: [...before, image, after] }));
const assistantMessage = fc.record(
  {
    role: fc.constant('assistant' as const),
    content: fc.option(fc.oneof(anyText, fc.array(textPart(anyText), { minLength: 1, maxLength: 3 })), { nil: null }),
    name,
    refusal: fc.option(anyText, { nil: null }),
    tool_calls: fc.constantFrom([], null),
    reasoning_content: fc.option(anyText, { nil: null }),
    function_call: fc.constant(null),
    audio: fc.constant(null),
  },
  { requiredKeys: ['role'] },
);
/** An assistant turn calling 1–3 tools, then one tool message answering each call, in order. */
const toolRound = fc
  .tuple(
    fc.array(
      fc.tuple(fc.constantFrom('get_weather', 'lookup'), fc.dictionary(fc.string({ maxLength: 6 }), fc.integer()), nonEmptyContent),
      {
        minLength: 1,
        maxLength: 3,
      },
    ),
    fc.option(anyText, { nil: null }),
  )
  .map(([calls, reasoning]) => [
    {
      role: 'assistant' as const,
      content: null,
      reasoning_content: reasoning,
      tool_calls: calls.map(([fn, args], index) => ({
        id: `call_${index}`,
        type: 'function' as const,
        function: { name: fn, arguments: JSON.stringify(args) },
      })),
    },
    ...calls.map(([, , result], index) => ({ role: 'tool' as const, content: result, tool_call_id: `call_${index}` })),
  ]);

const tools = fc.constant([
  {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      description: 'The weather of a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      strict: true,
    },
  },
  { type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: {} } } },
]);
const toolChoice = fc.constantFrom('auto' as const, 'none' as const, { type: 'function' as const, function: { name: 'lookup' } });

const nullable = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null, freq: 4 });
const stop = fc.oneof(anyText, fc.array(anyText, { minLength: 1, maxLength: 4 }));

/** Everything but the fields that depend on the model or on each other. Ranges are DashScope's. */
const parameters = fc.record(
  {
    temperature: nullable(fc.double({ min: 0, max: 1.99, noNaN: true })),
    top_p: nullable(fc.double({ min: 0.01, max: 1, noNaN: true })),
    presence_penalty: nullable(fc.double({ min: -2, max: 2, noNaN: true })),
    seed: nullable(fc.oneof(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constant(0))),
    stop: nullable(stop),
    top_k: nullable(fc.integer({ min: 0, max: 200 })),
    repetition_penalty: nullable(fc.double({ min: 0.5, max: 2, noNaN: true })),
    frequency_penalty: nullable(fc.double({ min: -2, max: 2, noNaN: true })),
    response_format: nullable(
      fc.constantFrom(
        { type: 'text' as const },
        {
          type: 'json_schema' as const,
          json_schema: { name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } } } },
        },
      ),
    ),
    enable_search: nullable(fc.boolean()),
    user: nullable(anyText),
    safety_identifier: nullable(anyText),
    prompt_cache_key: nullable(anyText),
    // Refused features, in the values that ask for nothing and are therefore accepted.
    functions: nullable(fc.constant([])),
    function_call: nullable(fc.constant('none' as const)),
    logit_bias: nullable(fc.constant({})),
    modalities: nullable(fc.constant(['text' as const])),
    store: nullable(fc.constant(false)),
    metadata: nullable(fc.constant({})),
    service_tier: nullable(fc.constantFrom('auto' as const, 'default' as const)),
  },
  { requiredKeys: [] },
);

/** Output caps within the model's largest output: above it, DashScope answers its range error. */
const tokenLimits = (model: CatalogueModel) => {
  const maxTokens = fc.integer({ min: 1, max: model.maxOutputTokens ?? 2 ** 31 - 1 });
  return fc.record({ max_tokens: nullable(maxTokens), max_completion_tokens: nullable(maxTokens) }, { requiredKeys: [] });
};

/** n and logprobs; top_logprobs only with logprobs: true, as OpenAI requires. */
const choiceFields = fc.oneof(
  fc.record({ n: nullable(fc.integer({ min: 1, max: 4 })), logprobs: nullable(fc.constant(false)) }, { requiredKeys: [] }),
  fc.record(
    { n: nullable(fc.integer({ min: 1, max: 4 })), logprobs: fc.constant(true), top_logprobs: nullable(fc.integer({ min: 0, max: 5 })) },
    { requiredKeys: ['logprobs'] },
  ),
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

/** Thinking knobs DashScope accepts for the model: an always-thinking model cannot be told not to. */
const thinkingFields = (model: CatalogueModel) =>
  model.capabilities.thinking === 'none'
    ? fc.constant({})
    : fc.record(
        {
          enable_thinking: model.capabilities.thinking === 'always' ? fc.constant(true) : nullable(fc.boolean()),
          thinking_budget: nullable(fc.integer({ min: 1, max: 4096 })),
        },
        { requiredKeys: [] },
      );

const chatRequest = fc.constantFrom(...chatModels).chain((model) => {
  const sees = model.capabilities.vision;
  const callsTools = model.capabilities.tools;
  const turn = fc.oneof(
    { weight: 3, arbitrary: instructionMessage.map((message) => [message]) },
    { weight: 2, arbitrary: assistantMessage.map((message) => [message]) },
    ...(sees ? [{ weight: 1, arbitrary: userMessageWithImage.map((message) => [message]) }] : []),
    ...(callsTools ? [{ weight: 1, arbitrary: toolRound }] : []),
  );
  const toolFields = callsTools
    ? fc.option(fc.record({ tools, tool_choice: nullable(toolChoice), parallel_tool_calls: nullable(fc.boolean()) }), { nil: {} })
    : fc.constant({});
  return fc
    .tuple(
      fc.array(turn, { minLength: 1, maxLength: 5 }),
      parameters,
      tokenLimits(model),
      choiceFields,
      streamFields,
      thinkingFields(model),
      toolFields,
    )
    .map(([turns, parameters, limits, choices, streamFields, thinking, toolFields]) => ({
      model: model.id,
      messages: turns.flat(),
      ...parameters,
      ...limits,
      // DashScope answers one choice when tools are given; the gateway refuses n > 1 with them.
      ...('tools' in toolFields ? { ...choices, n: null } : choices),
      ...streamFields,
      ...thinking,
      ...toolFields,
    }));
});

/** What the messages say once their parts are joined: the texts DashScope must receive. */
function joinedTexts(messages: ChatCompletionRequest['messages']): string[] {
  return messages.flatMap(({ content }) => {
    if (content === null || content === undefined) return [''];
    if (typeof content === 'string') return [content];
    return [content.map((part) => (part.type === 'text' ? part.text : '')).join('')];
  });
}

/** Fields moved to `parameters` under their own name. */
const moved = [
  'temperature',
  'top_p',
  'presence_penalty',
  'seed',
  'stop',
  'top_k',
  'repetition_penalty',
  'n',
  'logprobs',
  'top_logprobs',
  'response_format',
  'enable_search',
  'thinking_budget',
  'parallel_tool_calls',
] as const;

/** The native parameters the request asks for, by the README's mapping table. */
function expectedParameters(request: ChatCompletionRequest, model: CatalogueModel, upstreamStream: boolean): Record<string, unknown> {
  const expected: Record<string, unknown> = {};
  if (model.endpoint === 'text-generation') expected.result_format = 'message';
  if (upstreamStream) expected.incremental_output = true;
  for (const key of moved) if (request[key] != null) expected[key] = request[key];
  if (
    request.messages.some(
      (message) =>
        message.role === 'user' &&
        Array.isArray(message.content) &&
        message.content.some((part) => part.type === 'image_url' && part.image_url.detail === 'high'),
    )
  )
    expected.vl_high_resolution_images = true;
  if (request.max_tokens != null) expected.max_tokens = request.max_tokens;
  if (request.max_completion_tokens != null) {
    if (model.outputLimitParameter === 'max_tokens')
      expected.max_tokens = Math.min(request.max_completion_tokens, request.max_tokens ?? Infinity);
    else expected.max_completion_tokens = request.max_completion_tokens;
  }
  if (request.tools != null && request.tools.length > 0) {
    expected.tools = request.tools.map(({ function: { strict: _strict, ...fn } }) => ({ type: 'function', function: fn }));
    if (request.tool_choice != null) expected.tool_choice = request.tool_choice;
  }
  if (request.enable_thinking != null) expected.enable_thinking = request.enable_thinking;
  else if (
    !upstreamStream &&
    request.stream !== true &&
    model.capabilities.thinking === 'default' &&
    model.capabilities.thinkingNeedsStream
  )
    expected.enable_thinking = false;
  return expected;
}

describe('chat requests the gateway accepts (property)', () => {
  it('become native requests the fake DashScope accepts, with what the client asked for', () => {
    const seen = { multimodal: 0, stream: 0, collected: 0, parts: 0, tools: 0, toolRounds: 0 };
    fc.assert(
      fc.property(chatRequest, (generated) => {
        // What a client puts on the wire.
        const body: unknown = JSON.parse(JSON.stringify(generated));
        const { request } = chatCompletionsEndpoint.parse(body);
        const call = chatCompletionsEndpoint.prepare(request, { created: 1_700_000_000, generateId: () => 'id' });
        const model = findCatalogueModel(request.model);
        if (model === undefined) throw new Error(`not in the catalogue: ${request.model}`);

        const endpoint = matchEndpoint({ method: 'POST', url: call.path });
        expect(endpoint).toBe(model.endpoint);
        if (endpoint === undefined || endpoint === 'text-embedding') throw new Error(`no generation endpoint for ${call.path}`);
        const upstreamStream = call.kind === 'sse';
        if (request.stream === true) expect(call).toMatchObject({ kind: 'sse' });
        else expect(upstreamStream ? call.respondAs : 'json').toBe('json');

        const wire = parseRequestBody(JSON.stringify(call.body));
        expect(wire.isJson).toBe(true);
        // Throws DashScope's own error (code and message) for a body DashScope would refuse.
        const native = parseGenerationRequest({ body: wire.value, endpoint, catalog, streaming: upstreamStream });

        expect(native).toMatchObject({ model: request.model, resultFormat: 'message', incrementalOutput: upstreamStream });
        // Per message on the text endpoint; the multimodal one keeps a user's text parts as separate items.
        if (endpoint === 'text-generation') expect(native.inputTexts).toEqual(joinedTexts(request.messages));
        else expect(native.inputTexts.join('')).toBe(joinedTexts(request.messages).join(''));
        const sent = wire.value as { parameters: Record<string, unknown>; input: { messages: Array<Record<string, unknown>> } };
        expect(sent.parameters).toEqual(expectedParameters(request, model, upstreamStream));
        expect(sent.input.messages.map((message) => message.role)).toEqual(
          request.messages.map((message) => (message.role === 'developer' ? 'system' : message.role)),
        );
        request.messages.forEach((message, index) => {
          if (message.role === 'tool') expect(sent.input.messages[index]?.tool_call_id).toBe(message.tool_call_id);
          if (message.role === 'assistant' && message.tool_calls != null && message.tool_calls.length > 0)
            expect(sent.input.messages[index]?.tool_calls).toEqual(
              message.tool_calls.map((toolCall, position) => ({ ...toolCall, index: position })),
            );
        });

        if (endpoint === 'multimodal-generation') seen.multimodal++;
        if (request.stream === true) seen.stream++;
        if (upstreamStream && request.stream !== true) seen.collected++;
        if (request.messages.some((message) => Array.isArray(message.content))) seen.parts++;
        if (request.tools != null) seen.tools++;
        if (request.messages.some((message) => message.role === 'tool')) seen.toolRounds++;
      }),
      { numRuns: 300 },
    );
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(0);
  });
});
