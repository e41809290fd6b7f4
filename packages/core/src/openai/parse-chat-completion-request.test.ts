import { describe, it, expect } from '@jest/globals';
import { GatewayError } from '../errors/gateway-error.js';
import { expectParseError } from '../__fixtures__/expect-parse-error.js';
import { convertToDashScopeRequest } from '../chat/convert-to-dashscope-request.js';
import { parseChatCompletionRequest } from './parse-chat-completion-request.js';

const minimal = { model: 'qwen-max', messages: [{ role: 'user', content: 'Hi' }] };
const withBody = (extra: Record<string, unknown>) => ({ ...minimal, ...extra });

const parseError = (body: unknown): GatewayError => expectParseError(() => parseChatCompletionRequest(body), body);

describe('parseChatCompletionRequest accepts valid requests', () => {
  it('returns a minimal request unchanged, without warnings', () => {
    expect(parseChatCompletionRequest(minimal)).toEqual({ request: minimal, warnings: [] });
  });

  it('accepts every message form the gateway translates', () => {
    const body = withBody({
      model: 'qwen3.6-plus',
      messages: [
        { role: 'system', content: 'Be brief.', name: 'rules' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hello, ' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
            { type: 'video_url', video_url: { url: 'https://example.com/a.mp4' } },
            { type: 'video', video: ['https://example.com/1.jpg', 'https://example.com/2.jpg'] },
          ],
          name: 'alice',
        },
        { role: 'assistant', content: null, refusal: null, tool_calls: [], function_call: null, audio: null },
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'They want the weather.',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Hangzhou"}' } }],
        },
        { role: 'tool', content: 'sunny', tool_call_id: 'call_1' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Hi!' },
            { type: 'refusal', refusal: 'no' },
          ],
        },
        { role: 'user', content: 'Thanks' },
      ],
    });
    const { request, warnings } = parseChatCompletionRequest(body);
    expect(request.messages).toEqual(body.messages);
    expect(warnings).toEqual([]);
  });

  it.each([
    ['user', { role: 'user', content: '' }],
    ['system', { role: 'system', content: [{ type: 'text', text: '' }] }],
    ['tool', { role: 'tool', content: '', tool_call_id: 'call_1' }],
  ])('refuses an empty %s message, naming its content (DashScope would refuse it naming nothing)', (_role, message) => {
    const error = parseError(withBody({ messages: [{ role: 'user', content: 'Hi' }, message] }));
    expect(error).toMatchObject({ param: 'messages[1].content', code: 'invalid_value' });
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
    ['frequency_penalty', 0],
    ['tools', []],
    ['tool_choice', 'none'],
    ['logit_bias', {}],
    ['modalities', ['text']],
    ['service_tier', 'auto'],
    ['store', false],
  ])('accepts the no-op value %s: %j without a warning, and does not pass it on', (key, value) => {
    const { request, warnings } = parseChatCompletionRequest(withBody({ [key]: value }));
    expect(warnings).toEqual([]);
    expect(convertToDashScopeRequest({ request }).body).toEqual(convertToDashScopeRequest(parseChatCompletionRequest(minimal)).body);
  });

  it('types parallel_tool_calls as a boolean', () => {
    expect(parseChatCompletionRequest(withBody({ parallel_tool_calls: false })).warnings).toEqual([]);
    expect(() => parseChatCompletionRequest(withBody({ parallel_tool_calls: 'yes' }))).toThrow(
      expect.objectContaining({ param: 'parallel_tool_calls', code: 'invalid_value' }),
    );
  });

  it('warns when web_search_options carries options DashScope has no place for, and not when it is empty', () => {
    expect(parseChatCompletionRequest(withBody({ web_search_options: {} })).warnings).toEqual([]);
    expect(parseChatCompletionRequest(withBody({ web_search_options: { search_context_size: 'high' } })).warnings).toEqual([
      expect.objectContaining({ code: 'parameter_converted', param: 'web_search_options' }),
    ]);
  });

  it('drops frequency_penalty with a warning (never mapped onto repetition_penalty), and converts reasoning_effort', () => {
    const { warnings } = parseChatCompletionRequest(withBody({ frequency_penalty: 0.5, reasoning_effort: 'high' }));
    expect(warnings.map(({ code, param }) => [code, param])).toEqual([
      ['parameter_dropped', 'frequency_penalty'],
      ['parameter_converted', 'reasoning_effort'],
    ]);
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
    expect(error.message).toContain("'system', 'developer', 'user', 'assistant' or 'tool'");
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

  it('accepts max_tokens and max_completion_tokens together: they cap different things on models that reason', () => {
    expect(parseChatCompletionRequest(withBody({ max_tokens: 10, max_completion_tokens: 20 })).request).toMatchObject({
      max_tokens: 10,
      max_completion_tokens: 20,
    });
  });

  it('rejects top_logprobs without logprobs, and reasoning_effort that contradicts enable_thinking', () => {
    expect(parseError(withBody({ top_logprobs: 2 })).param).toBe('top_logprobs');
    expect(parseError(withBody({ top_logprobs: 2, logprobs: false })).param).toBe('top_logprobs');
    expect(parseError(withBody({ reasoning_effort: 'none', enable_thinking: true })).param).toBe('reasoning_effort');
    expect(parseChatCompletionRequest(withBody({ reasoning_effort: 'low', enable_thinking: true })).request.enable_thinking).toBe(true);
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

const weatherTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } };

describe('parseChatCompletionRequest refuses what DashScope cannot do', () => {
  it.each([
    ['tool_choice "required"', { tools: [weatherTool], tool_choice: 'required' }, 'tool_choice'],
    ['an allowed_tools tool_choice', { tools: [weatherTool], tool_choice: { type: 'allowed_tools', allowed_tools: {} } }, 'tool_choice'],
    ['a custom tool', { tools: [weatherTool, { type: 'custom', custom: { name: 'x' } }] }, 'tools[1].type'],
    ['n: 2 with tools', { tools: [weatherTool], n: 2 }, 'n'],
    ['functions', { functions: [{ name: 'f' }] }, 'functions'],
    ['logit_bias', { logit_bias: { '50256': -100 } }, 'logit_bias'],
    ['a __proto__-only logit_bias', { logit_bias: JSON.parse('{"__proto__": 5}') as unknown }, 'logit_bias'],
    ['a __proto__-only metadata', { metadata: JSON.parse('{"__proto__": "x"}') as unknown }, 'metadata'],
    ['store: true', { store: true }, 'store'],
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
      'a file part',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Read' },
              { type: 'file', file: { file_id: 'f' } },
            ],
          },
        ],
      },
      'messages[0].content[1].type',
    ],
    [
      'an image for a model that takes text only',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Look' },
              { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
            ],
          },
        ],
      },
      'messages[0].content[1]',
    ],
  ])('%s → unsupported_parameter', (_name, extra, param) => {
    expect(parseError(withBody(extra))).toMatchObject({ param, code: 'unsupported_parameter' });
  });

  it('accepts an image for a model the catalogue does not know (DashScope decides)', () => {
    const body = withBody({
      model: 'qwen-vl-something-new',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }],
    });
    expect(parseChatCompletionRequest(body).request.model).toBe('qwen-vl-something-new');
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
