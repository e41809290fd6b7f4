import { readFileSync } from 'node:fs';
import { describe, it, expect } from '@jest/globals';
import { assertOpenAIShape } from '@gw/testkit';
import type { ChatCompletion } from '../openai/chat-response-types.js';
import { convertDashScopeResponse } from './convert-dashscope-response.js';

/** The non-stream conversion of the recorded tool-calling, logprobs, JSON, thinking and multimodal replies. */

const CREATED = 1_700_000_000;
const readJsonFixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url), 'utf8'));

function convert(response: unknown, model = 'qwen-plus', ids: string[] = ['generated-id']): ChatCompletion {
  const queue = [...ids];
  const completion = convertDashScopeResponse({ response, model, created: CREATED, generateId: () => queue.shift() ?? 'exhausted' });
  assertOpenAIShape('CreateChatCompletionResponse', completion);
  return completion;
}

describe('convertDashScopeResponse on the recorded feature replies', () => {
  it('single-generation-message-with-tools-nosse.json: a tool call, finishing with "tool_calls" although DashScope said "stop"', () => {
    const raw = readJsonFixture('single-generation-message-with-tools-nosse.json') as {
      output: { choices: Array<{ finish_reason: string; message: { content: string; tool_calls: Array<{ index: number }> } }> };
    };
    // What DashScope sent: "stop", content "", a call with DashScope's own `index`.
    expect(raw.output.choices[0]?.finish_reason).toBe('stop');
    expect(raw.output.choices[0]?.message.content).toBe('');
    expect(raw.output.choices[0]?.message.tool_calls[0]?.index).toBe(0);

    const completion = convert(raw);
    expect(completion).toEqual({
      id: 'chatcmpl-67300049-c108-9987-b1c1-8e0ee2de6b5d',
      object: 'chat.completion',
      created: CREATED,
      model: 'qwen-plus',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            refusal: null,
            tool_calls: [
              {
                id: 'call_cec4c19d27624537b583af',
                type: 'function',
                function: { name: 'get_current_weather', arguments: '{"location": "浙江省杭州市"}' },
              },
            ],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 211, completion_tokens: 8, total_tokens: 219 },
    });
    expect(completion.choices[0]?.message.tool_calls?.[0]).not.toHaveProperty('index');
    expect(JSON.parse(completion.choices[0]?.message.tool_calls?.[0]?.function.arguments ?? '')).toEqual({ location: '浙江省杭州市' });
  });

  it('single-generation-message-logprobs-nosse.json: logprobs copied field by field, with refusal: null', () => {
    const completion = convert(readJsonFixture('single-generation-message-logprobs-nosse.json'), 'qwen-max');
    expect(completion).toEqual({
      id: 'chatcmpl-1d881da5-0028-9f20-8e7f-6bc7ae891c54',
      object: 'chat.completion',
      created: CREATED,
      model: 'qwen-max',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: '2', refusal: null },
          logprobs: {
            content: [{ token: '2', logprob: 0, bytes: [50], top_logprobs: [{ token: '2', logprob: 0, bytes: [50] }] }],
            refusal: null,
          },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 20, completion_tokens: 1, total_tokens: 21, prompt_tokens_details: { cached_tokens: 0 } },
    });
    // Field by field: the keys are OpenAI's, in OpenAI's order, whatever order DashScope used.
    const entry = completion.choices[0]?.logprobs?.content?.[0];
    expect(Object.keys(entry ?? {})).toEqual(['token', 'logprob', 'bytes', 'top_logprobs']);
    expect(Object.keys(entry?.top_logprobs[0] ?? {})).toEqual(['token', 'logprob', 'bytes']);
  });

  it('drops fields DashScope adds to logprobs, and gives bytes: null when DashScope sent none', () => {
    const response = {
      output: {
        choices: [
          {
            finish_reason: 'stop',
            message: { role: 'assistant', content: 'a' },
            logprobs: { content: [{ token: 'a', logprob: -0.5, extra: 1, top_logprobs: [{ token: 'a', logprob: -0.5, extra: 2 }] }] },
          },
        ],
      },
      request_id: 'r',
    };
    expect(convert(response).choices[0]?.logprobs).toEqual({
      content: [{ token: 'a', logprob: -0.5, bytes: null, top_logprobs: [{ token: 'a', logprob: -0.5, bytes: null }] }],
      refusal: null,
    });
  });

  it('single-generation-message-json-nosse.json: JSON output stays the text DashScope sent', () => {
    const completion = convert(readJsonFixture('single-generation-message-json-nosse.json'), 'qwen-plus');
    expect(completion).toEqual({
      id: 'chatcmpl-6af9571b-1033-98f9-a287-c06f2e9d6f7f',
      object: 'chat.completion',
      created: CREATED,
      model: 'qwen-plus',
      choices: [
        { index: 0, message: { role: 'assistant', content: '{\n  "result": 2\n}', refusal: null }, logprobs: null, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 25, completion_tokens: 9, total_tokens: 34 },
    });
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual({ result: 2 });
  });

  it('single-generation-message-reasoning-nosse.json: reasoning_content and the usage details', () => {
    const completion = convert(readJsonFixture('single-generation-message-reasoning-nosse.json'), 'deepseek-v4-pro');
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: '',
          refusal: null,
          reasoning_content: '我们被问到："请问 1+1 是多少？" 这是一个简单的问题。答案显然是',
        },
        logprobs: null,
        finish_reason: 'length',
      },
    ]);
    expect(completion.usage).toEqual({
      prompt_tokens: 12,
      completion_tokens: 21,
      total_tokens: 33,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 20 },
    });
  });

  it('multimodal-generation-vl-nosse.json: [{text}] content becomes a string, total_tokens is computed', () => {
    const completion = convert(readJsonFixture('multimodal-generation-vl-nosse.json'), 'qwen-vl-plus');
    expect(completion.choices[0]?.message).toEqual({ role: 'assistant', content: '海滩。', refusal: null });
    expect(completion.usage).toEqual({ prompt_tokens: 3613, completion_tokens: 3, total_tokens: 3616 });
  });
});

describe('convertDashScopeResponse tool calls', () => {
  const withCalls = (toolCalls: unknown[], extra: { content?: unknown; finish_reason?: string } = {}) => ({
    output: {
      choices: [
        {
          finish_reason: extra.finish_reason ?? 'tool_calls',
          message: { role: 'assistant', content: 'content' in extra ? extra.content : '', tool_calls: toolCalls },
        },
      ],
    },
    usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
    request_id: 'r',
  });

  it.each([
    ['no id', {}],
    ['id ""', { id: '' }],
    ['id null', { id: null }],
  ])('gives a call with %s a generated call_ id', (_name, idField) => {
    const completion = convert(
      withCalls([{ index: 0, type: 'function', function: { name: 'f', arguments: '{}' }, ...idField }]),
      'qwen-plus',
      ['5f0c-9a1e-42'],
    );
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call).toEqual({ id: 'call_5f0c9a1e42', type: 'function', function: { name: 'f', arguments: '{}' } });
    expect(call?.id).toMatch(/^call_[a-zA-Z0-9]+$/);
  });

  it('keeps two calls in order, with their own ids, and generates one id per call that has none', () => {
    const completion = convert(
      withCalls([
        { index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } },
        { index: 1, type: 'function', function: { name: 'g', arguments: '{"y":2}' } },
        { index: 2, id: '', type: 'function', function: { name: 'h', arguments: '{}' } },
      ]),
      'qwen-plus',
      ['one', 'two'],
    );
    expect(completion.choices[0]?.message.tool_calls).toEqual([
      { id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } },
      { id: 'call_one', type: 'function', function: { name: 'g', arguments: '{"y":2}' } },
      { id: 'call_two', type: 'function', function: { name: 'h', arguments: '{}' } },
    ]);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('keeps text that came with the calls, and a cut answer stays "length"', () => {
    const call = { index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{' } };
    const withText = convert(withCalls([call], { content: 'Let me check.', finish_reason: 'stop' }));
    expect(withText.choices[0]?.message.content).toBe('Let me check.');
    expect(withText.choices[0]?.finish_reason).toBe('tool_calls');
    expect(convert(withCalls([call], { finish_reason: 'length' })).choices[0]?.finish_reason).toBe('length');
  });

  it('treats an empty tool_calls array as no calls', () => {
    const completion = convert(withCalls([], { content: 'hi', finish_reason: 'stop' }));
    expect(completion.choices[0]?.message).toEqual({ role: 'assistant', content: 'hi', refusal: null });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
  });
});
