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
      stream: false,
      includeUsage: false,
      model: 'qwen-max',
    });
  });

  it('asks for incremental output when streaming, and nothing else', () => {
    const converted = convert({ stream: true });
    expect(converted.body.parameters).toEqual({ result_format: 'message', incremental_output: true });
    expect(converted).toMatchObject({ stream: true, includeUsage: false });
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
    ['max_completion_tokens as max_tokens', { max_completion_tokens: 128 }, { max_tokens: 128 }],
    ['both token limits when equal', { max_tokens: 64, max_completion_tokens: 64 }, { max_tokens: 64 }],
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
      max_tokens: 100,
      stop: ['x'],
      seed: 7,
      presence_penalty: 1,
    });
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
    expect(converted.stream).toBe(false);
  });

  it('drops user and other dropped parameters from the DashScope body', () => {
    const converted = convert({
      user: 'user-1',
      safety_identifier: 's',
      prompt_cache_key: 'k',
      n: 1,
      frequency_penalty: 0,
      logprobs: false,
    });
    expect(converted.body.parameters).toEqual({ result_format: 'message' });
    expect(Object.keys(converted.body)).toEqual(['model', 'input', 'parameters']);
  });
});

describe('convertToDashScopeMessages', () => {
  it('converts every accepted message form', () => {
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
        { role: 'user', content: '' },
      ],
    });
    expect(convertToDashScopeMessages({ messages: request.messages })).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'system', content: 'Answer in English.', name: 'rules' },
      { role: 'user', content: 'Hello, world', name: 'alice' },
      { role: 'assistant', content: '' },
      { role: 'assistant', content: '' },
      { role: 'assistant', content: 'Hi!', name: 'bot' },
      { role: 'user', content: '' },
    ]);
  });

  it('copies only role, content and name', () => {
    const { request } = parseChatCompletionRequest({
      model: 'qwen-max',
      messages: [{ role: 'assistant', content: 'x', refusal: null, tool_calls: [], audio: null }],
    });
    expect(convertToDashScopeMessages({ messages: request.messages })).toEqual([{ role: 'assistant', content: 'x' }]);
  });
});
