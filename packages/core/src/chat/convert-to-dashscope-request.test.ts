import { describe, it, expect } from '@jest/globals';
import { parseChatCompletionRequest } from '../openai/parse-chat-completion-request.js';
import { convertToDashScopeRequest } from './convert-to-dashscope-request.js';
import { convertToDashScopeMessages } from './convert-to-dashscope-messages.js';

const messages = [{ role: 'user', content: 'Hi' }];

/** Client body → validated request → DashScope request, as the gateway runs it. */
const convert = (body: Record<string, unknown>) =>
  convertToDashScopeRequest({ request: parseChatCompletionRequest({ model: 'qwen-max', messages, ...body }).request });

describe('convertToDashScopeRequest', () => {
  it('injects nothing into a minimal non-stream request', () => {
    expect(convert({})).toEqual({
      body: { model: 'qwen-max', input: { messages: [{ role: 'user', content: 'Hi' }] }, parameters: { result_format: 'message' } },
      path: '/api/v1/services/aigc/text-generation/generation',
      mode: 'json',
      includeUsage: false,
      model: 'qwen-max',
      choiceCount: 1,
    });
  });

  it('asks for incremental output when streaming, and nothing else', () => {
    const converted = convert({ stream: true });
    expect(converted.body.parameters).toEqual({ result_format: 'message', incremental_output: true });
    expect(converted).toMatchObject({ mode: 'stream', includeUsage: false });
  });

  it('reports include_usage only for streams that ask for it', () => {
    expect(convert({ stream: true, stream_options: { include_usage: true } }).includeUsage).toBe(true);
    expect(convert({ stream: true, stream_options: { include_usage: false } }).includeUsage).toBe(false);
    expect(convert({ stream: true, stream_options: {} }).includeUsage).toBe(false);
    expect(convert({ stream: false }).includeUsage).toBe(false);
  });

  it('keeps the model exactly as the client named it', () => {
    const converted = convert({ model: 'farui-plus' });
    expect(converted.model).toBe('farui-plus');
    expect(converted.body.model).toBe('farui-plus');
  });

  it.each([
    ['temperature', { temperature: 0.7 }, { temperature: 0.7 }],
    ['top_p', { top_p: 0.8 }, { top_p: 0.8 }],
    ['max_tokens', { max_tokens: 256 }, { max_tokens: 256 }],
    ["max_completion_tokens as DashScope's own max_completion_tokens", { max_completion_tokens: 128 }, { max_completion_tokens: 128 }],
    ['both token limits, each as named', { max_tokens: 64, max_completion_tokens: 96 }, { max_tokens: 64, max_completion_tokens: 96 }],
    ['n', { n: 3 }, { n: 3 }],
    ['logprobs', { logprobs: true, top_logprobs: 2 }, { logprobs: true, top_logprobs: 2 }],
    ['response_format json_object', { response_format: { type: 'json_object' } }, { response_format: { type: 'json_object' } }],
    [
      'response_format json_schema',
      { response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } } },
      { response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } } },
    ],
    [
      "DashScope's own knobs sent as extra body fields",
      { top_k: 100, repetition_penalty: 1.1, enable_search: true, search_options: { forced_search: true }, thinking_budget: 50 },
      { top_k: 100, repetition_penalty: 1.1, enable_search: true, search_options: { forced_search: true }, thinking_budget: 50 },
    ],
    ['web_search_options as enable_search', { web_search_options: {} }, { enable_search: true }],
    ['an explicit enable_search over web_search_options', { web_search_options: {}, enable_search: false }, { enable_search: false }],
    ['reasoning_effort "none" as enable_thinking false', { reasoning_effort: 'none' }, { enable_thinking: false }],
    ['stop as a string', { stop: 'END' }, { stop: 'END' }],
    ['stop as an array', { stop: ['END', '\n\n'] }, { stop: ['END', '\n\n'] }],
    ['seed', { seed: 1234 }, { seed: 1234 }],
    ['presence_penalty', { presence_penalty: -1.5 }, { presence_penalty: -1.5 }],
    ['zero values', { temperature: 0, seed: 0, presence_penalty: 0 }, { temperature: 0, seed: 0, presence_penalty: 0 }],
  ])('moves %s into parameters', (_name, body, expected) => {
    expect(convert(body).body.parameters).toEqual({ result_format: 'message', ...expected });
  });

  it('passes range edges through unchanged (no clamping)', () => {
    expect(convert({ temperature: 2, top_p: 1 }).body.parameters).toEqual({ result_format: 'message', temperature: 2, top_p: 1 });
  });

  it('moves every mapped parameter at once, beside incremental_output for a stream', () => {
    const converted = convert({
      stream: true,
      temperature: 1.3,
      top_p: 0.5,
      max_completion_tokens: 100,
      stop: ['x'],
      seed: 7,
      presence_penalty: 1,
      stream_options: { include_usage: true },
    });
    expect(converted.body.parameters).toEqual({
      result_format: 'message',
      incremental_output: true,
      temperature: 1.3,
      top_p: 0.5,
      max_completion_tokens: 100,
      stop: ['x'],
      seed: 7,
      presence_penalty: 1,
    });
  });

  it('sends max_completion_tokens as max_tokens to a model that takes only max_tokens, the smaller cap winning', () => {
    expect(convert({ model: 'farui-plus', max_completion_tokens: 100 }).body.parameters).toEqual({
      result_format: 'message',
      max_tokens: 100,
    });
    expect(convert({ model: 'farui-plus', max_completion_tokens: 100, max_tokens: 50 }).body.parameters).toMatchObject({ max_tokens: 50 });
    expect(convert({ model: 'farui-plus', max_completion_tokens: 30, max_tokens: 50 }).body.parameters).toMatchObject({ max_tokens: 30 });
    expect(convert({ model: 'some-future-model', max_completion_tokens: 100 }).body.parameters).toMatchObject({
      max_completion_tokens: 100,
    });
  });

  it('sends tools in the recorded shape, tool_choice only with them, and drops strict with a warning', () => {
    const tool = {
      type: 'function',
      function: {
        name: 'get_current_weather',
        description: '获取现在的天气',
        parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
        strict: true,
      },
    };
    const body = { tools: [tool], tool_choice: { type: 'function', function: { name: 'get_current_weather' } }, parallel_tool_calls: true };
    const { strict: _strict, ...recordedFunction } = tool.function;
    expect(convert(body).body.parameters).toEqual({
      result_format: 'message',
      parallel_tool_calls: true,
      tools: [{ type: 'function', function: recordedFunction }],
      tool_choice: { type: 'function', function: { name: 'get_current_weather' } },
    });
    expect(parseChatCompletionRequest({ model: 'qwen-max', messages, ...body }).warnings).toEqual([
      expect.objectContaining({ code: 'parameter_dropped', param: 'tools[0].function.strict' }),
    ]);
    expect(convert({ tools: [tool], tool_choice: 'auto' }).body.parameters.tool_choice).toBe('auto');
    expect(convert({ tool_choice: 'none' }).body.parameters).toEqual({ result_format: 'message' });
  });

  it('routes by the catalogue, and a model it does not know by what the messages carry', () => {
    const image = { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] };
    expect(convert({ model: 'qwen3.6-plus' }).path).toBe('/api/v1/services/aigc/multimodal-generation/generation');
    expect(convert({ model: 'qwen-vl-max' }).path).toBe('/api/v1/services/aigc/multimodal-generation/generation');
    expect(convert({ model: 'qwen-plus' }).path).toBe('/api/v1/services/aigc/text-generation/generation');
    expect(convert({ model: 'new-model' }).path).toBe('/api/v1/services/aigc/text-generation/generation');
    expect(convert({ model: 'new-model', messages: [image] }).path).toBe('/api/v1/services/aigc/multimodal-generation/generation');
  });

  it('turns any detail:"high" image into vl_high_resolution_images, unless the client set it', () => {
    const high = { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'high' } }] };
    expect(convert({ model: 'qwen-vl-max', messages: [high] }).body.parameters).toEqual({ vl_high_resolution_images: true });
    expect(convert({ model: 'qwen-vl-max', messages: [high], vl_high_resolution_images: false }).body.parameters).toEqual({
      vl_high_resolution_images: false,
    });
  });

  it.each([
    [
      'a hybrid thinker asked to think: collected from a stream',
      { model: 'qwen-plus', enable_thinking: true },
      'collect',
      { enable_thinking: true },
    ],
    ['a hybrid thinker asked by reasoning_effort', { model: 'qwen-plus', reasoning_effort: 'low' }, 'collect', { enable_thinking: true }],
    ['a default thinker not asked: told not to think', { model: 'qwen3.6-plus' }, 'json', { enable_thinking: false }],
    ['a default thinker told not to think', { model: 'qwen3.6-plus', enable_thinking: false }, 'json', { enable_thinking: false }],
    ['a stream-only model', { model: 'qwq-plus' }, 'collect', {}],
    ['a model that thinks in non-stream calls', { model: 'deepseek-v4-pro', enable_thinking: true }, 'json', { enable_thinking: true }],
    ['an unknown model asked to think', { model: 'new-model', enable_thinking: true }, 'collect', { enable_thinking: true }],
    ['an unknown model not asked', { model: 'new-model' }, 'json', {}],
  ])('a non-stream call to %s', (_name, body, mode, parameters) => {
    const converted = convert(body);
    expect(converted.mode).toBe(mode);
    expect(converted.body.parameters).toMatchObject(parameters);
    if (!('enable_thinking' in parameters)) expect(converted.body.parameters.enable_thinking).toBeUndefined();
    expect(converted.body.parameters.incremental_output).toBe(mode === 'collect' ? true : undefined);
  });

  it('treats nulls as absent', () => {
    const converted = convert({
      temperature: null,
      top_p: null,
      max_tokens: null,
      max_completion_tokens: null,
      stop: null,
      seed: null,
      presence_penalty: null,
      stream: null,
    });
    expect(converted.body.parameters).toEqual({ result_format: 'message' });
    expect(converted.mode).toBe('json');
  });

  it('drops user and other dropped parameters from the DashScope body', () => {
    const converted = convert({
      user: 'user-1',
      safety_identifier: 's',
      prompt_cache_key: 'k',
      frequency_penalty: 0.7,
      logit_bias: {},
    });
    expect(converted.body.parameters).toEqual({ result_format: 'message' });
    expect(Object.keys(converted.body)).toEqual(['model', 'input', 'parameters']);
  });
});

describe('convertToDashScopeMessages', () => {
  it('converts every accepted message form for a text model', () => {
    const { request } = parseChatCompletionRequest({
      model: 'qwen-max',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        {
          role: 'system',
          content: [
            { type: 'text', text: 'Answer ' },
            { type: 'text', text: 'in English.' },
          ],
          name: 'rules',
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hello, ' },
            { type: 'text', text: 'world' },
          ],
          name: 'alice',
        },
        { role: 'assistant', content: null },
        { role: 'assistant', refusal: null },
        { role: 'assistant', content: 'Hi!', name: 'bot' },
        { role: 'user', content: 'Weather?' },
      ],
    });
    expect(convertToDashScopeMessages({ messages: request.messages })).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'system', content: 'Answer in English.', name: 'rules' },
      { role: 'user', content: 'Hello, world', name: 'alice' },
      { role: 'assistant', content: '' },
      { role: 'assistant', content: '' },
      { role: 'assistant', content: 'Hi!', name: 'bot' },
      { role: 'user', content: 'Weather?' },
    ]);
  });

  const toolTurns = [
    { role: 'user', content: '杭州和上海现在的天气如何？' },
    {
      role: 'assistant',
      content: null,
      reasoning_content: '需要调用工具。',
      tool_calls: [
        { id: 'call_aa99', type: 'function', function: { name: 'get_current_weather', arguments: '{"location": "浙江省杭州市"}' } },
        { id: 'call_aa8b', type: 'function', function: { name: 'get_current_weather', arguments: '{"location": "上海市"}' } },
      ],
    },
    { role: 'tool', content: '杭州-大部多云', tool_call_id: 'call_aa99' },
    { role: 'tool', content: [{ type: 'text', text: '上海-晴' }], tool_call_id: 'call_aa8b' },
  ];

  it('carries tool calls, tool results and reasoning as the recorded text request does', () => {
    const { request } = parseChatCompletionRequest({ model: 'qwen-max', messages: toolTurns });
    expect(convertToDashScopeMessages({ messages: request.messages })).toEqual([
      { role: 'user', content: '杭州和上海现在的天气如何？' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: 'call_aa99',
            type: 'function',
            function: { name: 'get_current_weather', arguments: '{"location": "浙江省杭州市"}' },
            index: 0,
          },
          { id: 'call_aa8b', type: 'function', function: { name: 'get_current_weather', arguments: '{"location": "上海市"}' }, index: 1 },
        ],
        reasoning_content: '需要调用工具。',
      },
      { role: 'tool', content: '杭州-大部多云', tool_call_id: 'call_aa99' },
      { role: 'tool', content: '上海-晴', tool_call_id: 'call_aa8b' },
    ]);
  });

  it('writes list content on the multimodal endpoint, as multimodal-generation-message-with-tools-sse records it', () => {
    const messages = [
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'https://dashscope.oss-cn-beijing.aliyuncs.com/images/dog_and_girl.jpeg' } },
          { type: 'text', text: '根据杭州和上海现在的天气，以这张图片为参考，编一个 100 字以内的小故事' },
        ],
      },
      ...toolTurns.slice(1),
    ];
    const { request } = parseChatCompletionRequest({ model: 'qwen3.6-plus', messages });
    const converted = convertToDashScopeMessages({ messages: request.messages, multimodal: true });
    expect(converted[0]).toEqual({
      role: 'user',
      content: [
        { image: 'https://dashscope.oss-cn-beijing.aliyuncs.com/images/dog_and_girl.jpeg' },
        { text: '根据杭州和上海现在的天气，以这张图片为参考，编一个 100 字以内的小故事' },
      ],
    });
    expect(converted[1]).toMatchObject({ role: 'assistant', content: [] });
    expect(converted[2]).toEqual({ role: 'tool', content: [{ text: '杭州-大部多云' }], tool_call_id: 'call_aa99' });
    expect(converted[3]).toEqual({ role: 'tool', content: [{ text: '上海-晴' }], tool_call_id: 'call_aa8b' });
  });

  it('turns audio into a data URL and passes data-URL images and video frames as they are', () => {
    const { request } = parseChatCompletionRequest({
      model: 'qwen3-omni-flash',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'video_url', video_url: { url: 'https://example.com/a.mp4' } },
            { type: 'video', video: ['https://example.com/1.jpg', 'https://example.com/2.jpg'] },
          ],
        },
      ],
    });
    expect(convertToDashScopeMessages({ messages: request.messages, multimodal: true })[0]?.content).toEqual([
      { audio: 'data:audio/wav;base64,UklGRg==' },
      { image: 'data:image/png;base64,iVBORw0KGgo=' },
      { video: 'https://example.com/a.mp4' },
      { video: ['https://example.com/1.jpg', 'https://example.com/2.jpg'] },
    ]);
  });

  it('copies only role, content and name of a plain assistant turn', () => {
    const { request } = parseChatCompletionRequest({
      model: 'qwen-max',
      messages: [{ role: 'assistant', content: 'x', refusal: null, tool_calls: [], audio: null }],
    });
    expect(convertToDashScopeMessages({ messages: request.messages })).toEqual([{ role: 'assistant', content: 'x' }]);
  });
});
