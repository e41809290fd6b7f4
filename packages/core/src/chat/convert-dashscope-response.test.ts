import { readFileSync } from 'node:fs';
import { describe, it, expect } from '@jest/globals';
import { assertOpenAIShape } from '@gw/testkit';
import { GatewayError } from '../errors/gateway-error.js';
import { toOpenAIError } from '../errors/to-openai-error.js';
import { convertDashScopeResponse } from './convert-dashscope-response.js';

const CREATED = 1_700_000_000;
const readJsonFixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url), 'utf8'));

const convert = (response: unknown, model = 'qwen-max') =>
  convertDashScopeResponse({ response, model, created: CREATED, generateId: () => 'generated-id' });

function convertError(response: unknown): GatewayError {
  try {
    convert(response);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected convertDashScopeResponse to throw');
}

describe('convertDashScopeResponse on the recorded replies', () => {
  it.each([
    {
      fixture: 'single-generation-message-nosse.json',
      model: 'qwen-max',
      id: 'chatcmpl-e764bfe3-c0b7-97a0-ae57-cd99e1580960',
      message: {
        role: 'assistant',
        content: '1+1 等于 2。这是最基本的数学加法之一，在十进制计数体系中，任何两个相同的数字相加都等于该数字的二倍。',
        refusal: null,
      },
      finishReason: 'stop',
      usage: { prompt_tokens: 8, completion_tokens: 39, total_tokens: 47 },
    },
    {
      fixture: 'single-generation-text-nosse.json',
      model: 'qwen-plus',
      id: 'chatcmpl-7e3d5586-cb70-98ce-97bf-8a2ac0091c3f',
      message: { role: 'assistant', content: '1+1等于2。这是最基本的数学加法运算之一。', refusal: null },
      finishReason: 'stop',
      usage: { prompt_tokens: 16, completion_tokens: 14, total_tokens: 30, prompt_tokens_details: { cached_tokens: 0 } },
    },
    {
      fixture: 'single-generation-message-reasoning-nosse.json',
      model: 'deepseek-v4-pro',
      id: 'chatcmpl-7c8beccf-3e76-9034-95c1-db1f1ab9d6e0',
      message: {
        role: 'assistant',
        content: '',
        refusal: null,
        reasoning_content: '我们被问到："请问 1+1 是多少？" 这是一个简单的问题。答案显然是',
      },
      finishReason: 'length',
      usage: {
        prompt_tokens: 12,
        completion_tokens: 21,
        total_tokens: 33,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 20 },
      },
    },
    {
      // No total_tokens in this 2024 qwen-vl reply, and content is an array of {text} items.
      fixture: 'multimodal-generation-vl-nosse.json',
      model: 'qwen-vl-plus',
      id: 'chatcmpl-e81aa922-be6c-9f9d-bd4f-0f43e21fd913',
      message: { role: 'assistant', content: '海滩。', refusal: null },
      finishReason: 'stop',
      usage: { prompt_tokens: 3613, completion_tokens: 3, total_tokens: 3616 },
    },
  ])('$fixture → chat.completion', ({ fixture, model, id, message, finishReason, usage }) => {
    const completion = convert(readJsonFixture(fixture), model);
    expect(completion).toEqual({
      id,
      object: 'chat.completion',
      created: CREATED,
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
      usage,
    });
    assertOpenAIShape('CreateChatCompletionResponse', completion);
  });

  it('echoes the model the client asked for, not one DashScope names', () => {
    const response = {
      output: { model_name: 'qwen-max-2025-01-25', choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: 'ok' } }] },
      request_id: 'r',
    };
    expect(convert(response, 'qwen-max').model).toBe('qwen-max');
  });
});

describe('convertDashScopeResponse on other shapes', () => {
  it('uses generateId when DashScope sent no request_id (or an empty one)', () => {
    const response = {
      output: { choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: 'ok' } }] },
      usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
    };
    expect(convert(response).id).toBe('chatcmpl-generated-id');
    expect(convert({ ...response, request_id: '' }).id).toBe('chatcmpl-generated-id');
  });

  it.each([
    ['length', 'length'],
    ['tool_calls', 'tool_calls'],
    ['stop', 'stop'],
    // Not finished is impossible in a complete reply; the answer is over, so it stopped.
    ['null', 'stop'],
    [undefined, 'stop'],
  ])('maps finish_reason %s to %s', (dashScope, openAI) => {
    const choice = { message: { role: 'assistant', content: 'ok' }, ...(dashScope !== undefined && { finish_reason: dashScope }) };
    expect(convert({ output: { choices: [choice] }, request_id: 'r' }).choices[0]?.finish_reason).toBe(openAI);
  });

  it('does not add reasoning_content when there is none or it is empty', () => {
    const response = {
      output: { choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: 'ok', reasoning_content: '' } }] },
      request_id: 'r',
    };
    expect(convert(response).choices[0]?.message).toEqual({ role: 'assistant', content: 'ok', refusal: null });
  });

  it('joins several {text} items and skips items without text', () => {
    const response = {
      output: {
        choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: [{ text: '海' }, { image: 'x' }, { text: '滩。' }] } }],
      },
      request_id: 'r',
    };
    expect(convert(response).choices[0]?.message.content).toBe('海滩。');
  });

  it('reports zero usage when DashScope sent none', () => {
    const completion = convert({ output: { text: 'ok', finish_reason: 'stop' }, request_id: 'r' });
    expect(completion.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    assertOpenAIShape('CreateChatCompletionResponse', completion);
  });
});

describe('convertDashScopeResponse on error bodies', () => {
  it('throws a 401 GatewayError for the recorded InvalidApiKey body, keeping message and request_id', () => {
    const error = convertError(readJsonFixture('auth-error-nosse.json'));
    expect(error).toMatchObject({
      status: 401,
      type: 'authentication_error',
      code: 'invalid_api_key',
      message: 'Invalid API-key provided.',
      upstreamRequestId: 'a1c0561c-1dfe-98a6-a62f-983577b8bc5e',
    });
    assertOpenAIShape('ErrorResponse', toOpenAIError(error).body);
  });

  it('throws a 400 GatewayError for the recorded InvalidParameter body', () => {
    expect(convertError(readJsonFixture('parameter-error-nosse.json'))).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_parameter',
      message: 'Role must be user or assistant and Content length must be greater than 0',
    });
  });

  it.each([
    ['a body without output or code', { request_id: 'r' }],
    ['a string', 'Internal Server Error'],
    ['null', null],
    ['an array', []],
    ['output of the wrong type', { output: 'text', request_id: 'r' }],
  ])('throws a 502 for %s', (_name, response) => {
    expect(convertError(response)).toMatchObject({ status: 502, type: 'server_error', code: 'bad_upstream_response' });
  });
});
