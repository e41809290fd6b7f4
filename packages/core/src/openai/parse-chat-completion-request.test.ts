import { describe, it, expect } from '@jest/globals';
import { assertOpenAIShape } from '@gw/testkit';
import { GatewayError } from '../errors/gateway-error.js';
import { toOpenAIError } from '../errors/to-openai-error.js';
import { convertToDashScopeRequest } from '../chat/convert-to-dashscope-request.js';
import { parseChatCompletionRequest } from './parse-chat-completion-request.js';

const minimal = { model: 'qwen-max', messages: [{ role: 'user', content: 'Hi' }] };
const withBody = (extra: Record<string, unknown>) => ({ ...minimal, ...extra });

function parseError(body: unknown): GatewayError {
  try {
    parseChatCompletionRequest(body);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    const gatewayError = error as GatewayError;
    expect(gatewayError).toMatchObject({ status: 400, type: 'invalid_request_error' });
    assertOpenAIShape('ErrorResponse', toOpenAIError(gatewayError).body);
    return gatewayError;
  }
  throw new Error(`expected a 400 for ${JSON.stringify(body)}`);
}

describe('parseChatCompletionRequest accepts valid requests', () => {
  it('returns a minimal request unchanged, without warnings', () => {
    expect(parseChatCompletionRequest(minimal)).toEqual({ request: minimal, warnings: [] });
  });

  it('accepts every message form the gateway translates', () => {
    const body = withBody({
      messages: [
        { role: 'system', content: 'Be brief.', name: 'rules' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hello, ' },
            { type: 'text', text: 'world' },
          ],
          name: 'alice',
        },
        { role: 'assistant', content: null, refusal: null, tool_calls: [], function_call: null, audio: null },
        { role: 'assistant', content: 'Hi!' },
        { role: 'user', content: '' },
      ],
    });
    const { request, warnings } = parseChatCompletionRequest(body);
    expect(request.messages).toEqual(body.messages);
    expect(warnings).toEqual([]);
  });

  it('accepts every mapped parameter at the edges of its range (no clamping)', () => {
    const body = withBody({
      temperature: 2,
      top_p: 1,
      max_tokens: 1,
      max_completion_tokens: 1,
      stop: ['a', 'b', 'c', 'd'],
      seed: 42,
      presence_penalty: -2,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(parseChatCompletionRequest(body).request).toEqual(body);
    expect(parseChatCompletionRequest(withBody({ temperature: 0, top_p: 0, presence_penalty: 2, stop: 'END' })).request).toMatchObject({
      temperature: 0,
      top_p: 0,
      presence_penalty: 2,
      stop: 'END',
    });
  });

  it('treats null as absent for nullable parameters', () => {
    const body = withBody({
      temperature: null,
      top_p: null,
      max_tokens: null,
      max_completion_tokens: null,
      stop: null,
      seed: null,
      presence_penalty: null,
      stream: null,
      stream_options: null,
      user: null,
      n: null,
      tools: null,
    });
    const { request, warnings } = parseChatCompletionRequest(body);
    expect(warnings).toEqual([]);
    expect(request).toMatchObject(minimal);
  });

  it('drops user (and other identifiers) with a warning', () => {
    const { request, warnings } = parseChatCompletionRequest(
      withBody({ user: 'user-1234', safety_identifier: 'hash', prompt_cache_key: 'k' }),
    );
    expect(warnings).toEqual(
      ['user', 'safety_identifier', 'prompt_cache_key'].map((param) => ({
        code: 'parameter_dropped',
        param,
        message: `Parameter '${param}' was dropped: DashScope has no equivalent.`,
      })),
    );
    expect(request.model).toBe('qwen-max');
  });

  it.each([
    ['n', 1],
    ['frequency_penalty', 0],
    ['logprobs', false],
    ['tools', []],
    ['tool_choice', 'none'],
    ['response_format', { type: 'text' }],
    ['logit_bias', {}],
    ['modalities', ['text']],
    ['service_tier', 'auto'],
    ['store', false],
  ])('accepts the no-op value %s: %j without a warning, and does not pass it on', (key, value) => {
    const { request, warnings } = parseChatCompletionRequest(withBody({ [key]: value }));
    expect(warnings).toEqual([]);
    expect(convertToDashScopeRequest({ request }).body).toEqual(convertToDashScopeRequest(parseChatCompletionRequest(minimal)).body);
  });

  it('accepts parallel_tool_calls as a boolean, drops it with a warning, and types it', () => {
    const { warnings } = parseChatCompletionRequest(withBody({ parallel_tool_calls: false }));
    expect(warnings).toEqual([
      {
        code: 'parameter_dropped',
        param: 'parallel_tool_calls',
        message: "Parameter 'parallel_tool_calls' was dropped: it only matters with tools.",
      },
    ]);
    expect(() => parseChatCompletionRequest(withBody({ parallel_tool_calls: 'yes' }))).toThrow(
      expect.objectContaining({ param: 'parallel_tool_calls', code: 'invalid_value' }),
    );
  });

  it('does not change the caller’s body', () => {
    const body = withBody({ n: 1, temperature: 0.5 });
    const copy = structuredClone(body);
    parseChatCompletionRequest(body);
    expect(body).toEqual(copy);
  });
});

describe('parseChatCompletionRequest rejects invalid requests with a 400 naming the param', () => {
  it.each([
    ['temperature above 2', { temperature: 2.5 }, 'temperature'],
    ['negative temperature', { temperature: -0.1 }, 'temperature'],
    ['temperature as a string', { temperature: '1' }, 'temperature'],
    ['negative top_p', { top_p: -0.1 }, 'top_p'],
    ['top_p above 1', { top_p: 1.01 }, 'top_p'],
    ['max_tokens 0', { max_tokens: 0 }, 'max_tokens'],
    ['fractional max_tokens', { max_tokens: 1.5 }, 'max_tokens'],
    ['max_tokens as a string', { max_tokens: '10' }, 'max_tokens'],
    ['max_completion_tokens 0', { max_completion_tokens: 0 }, 'max_completion_tokens'],
    ['stop with 5 strings', { stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
    ['an empty stop array', { stop: [] }, 'stop'],
    ['stop as a number', { stop: 1 }, 'stop'],
    ['fractional seed', { seed: 1.5 }, 'seed'],
    ['presence_penalty below -2', { presence_penalty: -2.5 }, 'presence_penalty'],
    ['stream as a string', { stream: 'true' }, 'stream'],
    ['an empty model', { model: '' }, 'model'],
    ['a numeric model', { model: 1 }, 'model'],
    ['an empty messages array', { messages: [] }, 'messages'],
    ['messages as an object', { messages: { role: 'user', content: 'Hi' } }, 'messages'],
    ['numeric content', { messages: [{ role: 'user', content: 42 }] }, 'messages[0].content'],
    ['an empty content-part array', { messages: [{ role: 'user', content: [] }] }, 'messages[0].content'],
    ['a user message without content', { messages: [{ role: 'user' }] }, 'messages[0].content'],
    ['an empty name', { messages: [{ role: 'user', content: 'Hi', name: '' }] }, 'messages[0].name'],
  ])('%s', (_name, extra, param) => {
    expect(parseError(withBody(extra)).param).toBe(param);
  });

  it('reports a missing model or messages as missing_required_parameter', () => {
    expect(parseError({ messages: minimal.messages })).toMatchObject({ param: 'model', code: 'missing_required_parameter' });
    expect(parseError({ model: 'qwen-max' })).toMatchObject({ param: 'messages', code: 'missing_required_parameter' });
    expect(parseError({ model: 'qwen-max', messages: [{ role: 'user' }] })).toMatchObject({
      param: 'messages[0].content',
      code: 'missing_required_parameter',
      message: "Missing required parameter: 'messages[0].content'.",
    });
  });

  it('reports a wrong value as invalid_value and names the param in the message', () => {
    const error = parseError(withBody({ temperature: 2.5 }));
    expect(error.code).toBe('invalid_value');
    expect(error.message).toContain("'temperature'");
  });

  it('names the message whose role is unknown', () => {
    const error = parseError(
      withBody({
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'robot', content: 'beep' },
        ],
      }),
    );
    expect(error.param).toBe('messages[1].role');
    expect(error.message).toContain("'system', 'developer', 'user' or 'assistant'");
  });

  it('rejects an unknown top-level key as OpenAI does', () => {
    expect(parseError(withBody({ foo: 1 }))).toMatchObject({ message: 'Unrecognized request argument supplied: foo', param: 'foo' });
  });

  it('rejects unknown keys inside messages and stream_options', () => {
    expect(parseError(withBody({ messages: [{ role: 'user', content: 'Hi', colour: 'red' }] })).param).toBe('messages[0].colour');
    expect(parseError(withBody({ stream: true, stream_options: { include_usage: true, extra: 1 } })).param).toBe('stream_options.extra');
    expect(parseError(withBody({ messages: [{ role: 'user', content: [{ type: 'text', text: 'a', cache_control: {} }] }] })).param).toBe(
      'messages[0].content[0].cache_control',
    );
  });

  it('rejects stream_options without stream', () => {
    expect(parseError(withBody({ stream_options: { include_usage: true } })).param).toBe('stream_options');
    expect(parseError(withBody({ stream: false, stream_options: { include_usage: true } })).param).toBe('stream_options');
  });

  it('rejects max_tokens and max_completion_tokens that disagree, and accepts them when equal', () => {
    expect(parseError(withBody({ max_tokens: 10, max_completion_tokens: 20 })).param).toBe('max_tokens');
    expect(parseChatCompletionRequest(withBody({ max_tokens: 10, max_completion_tokens: 10 })).request).toMatchObject({
      max_tokens: 10,
      max_completion_tokens: 10,
    });
  });

  it.each([
    ['an array', []],
    ['a string', 'hello'],
    ['null', null],
    ['a number', 42],
    ['undefined', undefined],
  ])('rejects a body that is %s', (_name, body) => {
    expect(parseError(body)).toMatchObject({ param: null, code: 'invalid_request_body' });
  });
});

describe('parseChatCompletionRequest refuses features it does not translate yet', () => {
  it.each([
    ['tools', { tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] }, 'tools'],
    ['tool_choice', { tool_choice: 'auto' }, 'tool_choice'],
    ['n: 2', { n: 2 }, 'n'],
    ['logprobs: true', { logprobs: true }, 'logprobs'],
    ['top_logprobs', { top_logprobs: 2 }, 'top_logprobs'],
    ['frequency_penalty: 0.5', { frequency_penalty: 0.5 }, 'frequency_penalty'],
    ['response_format json_object', { response_format: { type: 'json_object' } }, 'response_format'],
    ['logit_bias', { logit_bias: { '50256': -100 } }, 'logit_bias'],
    ['store: true', { store: true }, 'store'],
    ['a tool message', { messages: [{ role: 'tool', content: 'sunny', tool_call_id: 'call_1' }] }, 'messages[0].role'],
    [
      'a function message',
      {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'function', name: 'f', content: '1' },
        ],
      },
      'messages[1].role',
    ],
    [
      'assistant tool calls',
      {
        messages: [
          { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        ],
      },
      'messages[0].tool_calls',
    ],
    [
      'an image_url part',
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] },
      'messages[0].content[0].type',
    ],
    [
      'an input_audio part after a text part',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Listen' },
              { type: 'input_audio', input_audio: { data: '', format: 'wav' } },
            ],
          },
        ],
      },
      'messages[0].content[1].type',
    ],
  ])('%s → unsupported_parameter', (_name, extra, param) => {
    expect(parseError(withBody(extra))).toMatchObject({ param, code: 'unsupported_parameter' });
  });
});

describe('parseChatCompletionRequest and inherited property names', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty'])('refuses a top-level %s key as unrecognized, not with a crash', (key) => {
    expect(parseError(withBody({ [key]: 1 }))).toMatchObject({
      status: 400,
      param: key,
      message: `Unrecognized request argument supplied: ${key}`,
    });
  });

  it('refuses a __proto__ key instead of reading parameters through it', () => {
    const body = JSON.parse('{"model":"qwen-max","messages":[{"role":"user","content":"x"}],"__proto__":{"temperature":1}}') as unknown;
    expect(parseError(body)).toMatchObject({ status: 400, param: '__proto__' });
  });

  it.each(['constructor', 'toString'])('refuses a message role or part type named %s as invalid', (name) => {
    expect(parseError(withBody({ messages: [{ role: name, content: 'x' }] }))).toMatchObject({ status: 400, param: 'messages[0].role' });
    expect(parseError(withBody({ messages: [{ role: 'user', content: [{ type: name, text: 'x' }] }] }))).toMatchObject({ status: 400 });
  });
});
