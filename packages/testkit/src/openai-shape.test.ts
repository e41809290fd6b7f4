import { readFileSync } from 'node:fs';
import { describe, it, expect } from '@jest/globals';
import { assertOpenAIShape, validateOpenAIShape, type OpenAISchemaName } from '@gw/testkit';

// Shapes as OpenAI's API returns them.
function chatCompletion(): any {
  return {
    id: 'chatcmpl-123',
    object: 'chat.completion',
    created: 1741569952,
    model: 'qwen-plus',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello! How can I help?', refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: 19,
      completion_tokens: 10,
      total_tokens: 29,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: 'default',
  };
}

function chunk(): any {
  return {
    id: 'chatcmpl-123',
    object: 'chat.completion.chunk',
    created: 1694268190,
    model: 'qwen-plus',
    system_fingerprint: 'fp_44709d6fcb',
    choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
  };
}

function usageChunk(): any {
  return {
    id: 'chatcmpl-123',
    object: 'chat.completion.chunk',
    created: 1694268190,
    model: 'qwen-plus',
    choices: [],
    usage: { prompt_tokens: 19, completion_tokens: 10, total_tokens: 29 },
  };
}

function modelList(): any {
  return {
    object: 'list',
    data: [
      { id: 'qwen-plus', object: 'model', created: 1686935002, owned_by: 'dashscope' },
      { id: 'qwen-max', object: 'model', created: 1686935002, owned_by: 'dashscope' },
    ],
  };
}

function errorResponse(): any {
  return {
    error: {
      message: 'Incorrect API key provided.',
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    },
  };
}

function embeddings(): any {
  return {
    object: 'list',
    data: [{ object: 'embedding', index: 0, embedding: [0.0023064255, -0.009327292, 0.015797347] }],
    model: 'text-embedding-v3',
    usage: { prompt_tokens: 8, total_tokens: 8 },
  };
}

function expectInvalid(schema: OpenAISchemaName, value: unknown, ...mentions: string[]): string[] {
  const errors = validateOpenAIShape(schema, value);
  expect(errors.length).toBeGreaterThan(0);
  const text = errors.join('\n');
  for (const m of mentions) expect(text).toContain(m);
  expect(() => assertOpenAIShape(schema, value)).toThrow(mentions[0] ?? schema);
  return errors;
}

describe('validateOpenAIShape / assertOpenAIShape: valid values pass', () => {
  it('accepts a chat.completion', () => {
    expect(validateOpenAIShape('CreateChatCompletionResponse', chatCompletion())).toEqual([]);
    expect(() => assertOpenAIShape('CreateChatCompletionResponse', chatCompletion())).not.toThrow();
  });

  it('accepts a chat.completion with tool calls, null content and a nullable service_tier', () => {
    const c = chatCompletion();
    c.choices[0].message = {
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    };
    c.choices[0].finish_reason = 'tool_calls';
    c.service_tier = null;
    delete c.usage; // usage is optional in CreateChatCompletionResponse
    expect(validateOpenAIShape('CreateChatCompletionResponse', c)).toEqual([]);
  });

  it('accepts a chunk, a final chunk and chunk variants OpenAI sends', () => {
    expect(validateOpenAIShape('CreateChatCompletionStreamResponse', chunk())).toEqual([]);
    const last = chunk();
    last.choices = [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }];
    delete last.system_fingerprint;
    expect(validateOpenAIShape('CreateChatCompletionStreamResponse', last)).toEqual([]);
    const withNullUsage = { ...chunk(), usage: null, service_tier: null };
    expect(validateOpenAIShape('CreateChatCompletionStreamResponse', withNullUsage)).toEqual([]);
    const toolDelta = chunk();
    toolDelta.choices[0].delta = { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] };
    delete toolDelta.choices[0].logprobs; // logprobs is optional in chunks
    expect(validateOpenAIShape('CreateChatCompletionStreamResponse', toolDelta)).toEqual([]);
  });

  it('accepts a usage-only chunk (choices: [] with usage)', () => {
    expect(validateOpenAIShape('CreateChatCompletionStreamResponse', usageChunk())).toEqual([]);
  });

  it('accepts a model list, a model, an error and an embeddings response', () => {
    expect(validateOpenAIShape('ListModelsResponse', modelList())).toEqual([]);
    expect(validateOpenAIShape('Model', modelList().data[0])).toEqual([]);
    expect(validateOpenAIShape('ErrorResponse', errorResponse())).toEqual([]);
    expect(validateOpenAIShape('ErrorResponse', { error: { ...errorResponse().error, code: null, param: 'model' } })).toEqual([]);
    expect(validateOpenAIShape('CreateEmbeddingResponse', embeddings())).toEqual([]);
  });

  it('allows unknown additional properties', () => {
    const c = chatCompletion();
    c.x_vendor = { request_id: 'abc' };
    c.choices[0].message.reasoning_content = 'thinking...';
    expect(validateOpenAIShape('CreateChatCompletionResponse', c)).toEqual([]);
  });
});

describe('validateOpenAIShape / assertOpenAIShape: violations fail and name the field', () => {
  it('chat.completion message without refusal', () => {
    const c = chatCompletion();
    delete c.choices[0].message.refusal;
    const errors = expectInvalid('CreateChatCompletionResponse', c, "/choices/0/message must have required property 'refusal'");
    expect(errors).toHaveLength(1);
  });

  it('chat.completion message without content, or with role other than assistant', () => {
    const c = chatCompletion();
    delete c.choices[0].message.content;
    expectInvalid('CreateChatCompletionResponse', c, "must have required property 'content'");
    const d = chatCompletion();
    d.choices[0].message.role = 'user';
    expectInvalid('CreateChatCompletionResponse', d, '/choices/0/message/role must be equal to one of the allowed values');
  });

  it('chat.completion choice without logprobs', () => {
    const c = chatCompletion();
    delete c.choices[0].logprobs;
    expectInvalid('CreateChatCompletionResponse', c, "/choices/0 must have required property 'logprobs'");
  });

  it('chat.completion with wrong object, missing created, bad finish_reason, bad usage type', () => {
    const c = chatCompletion();
    c.object = 'chat.completion.chunk';
    delete c.created;
    c.choices[0].finish_reason = null; // required and not nullable in non-streaming responses
    c.usage.total_tokens = '29';
    expectInvalid(
      'CreateChatCompletionResponse',
      c,
      '/object must be equal to one of the allowed values',
      "(root) must have required property 'created'",
      '/choices/0/finish_reason must be string, got null',
      '/usage/total_tokens must be integer, got "29"',
    );
  });

  it('usage without required token counts', () => {
    const c = usageChunk();
    delete c.usage.total_tokens;
    const errors = expectInvalid('CreateChatCompletionStreamResponse', c, "/usage must have required property 'total_tokens'");
    // the "or null" branch of the nullable usage is not reported on top of the specific error
    expect(errors.join('\n')).not.toContain('must be null');
  });

  it('chunk choice without finish_reason / delta, or system_fingerprint: null', () => {
    const c = chunk();
    delete c.choices[0].finish_reason;
    delete c.choices[0].delta;
    expectInvalid(
      'CreateChatCompletionStreamResponse',
      c,
      "/choices/0 must have required property 'finish_reason'",
      "/choices/0 must have required property 'delta'",
    );
    expectInvalid(
      'CreateChatCompletionStreamResponse',
      { ...chunk(), system_fingerprint: null },
      '/system_fingerprint must be string, got null',
    );
    expectInvalid('CreateChatCompletionStreamResponse', { ...chunk(), service_tier: 'premium' }, '/service_tier');
  });

  it('model without created / owned_by', () => {
    const list = modelList();
    delete list.data[0].created;
    delete list.data[1].owned_by;
    expectInvalid(
      'ListModelsResponse',
      list,
      "/data/0 must have required property 'created'",
      "/data/1 must have required property 'owned_by'",
    );
    expectInvalid(
      'Model',
      { id: 'qwen-plus', object: 'model' },
      "must have required property 'created'",
      "must have required property 'owned_by'",
    );
    expectInvalid('ListModelsResponse', { object: 'list', data: ['qwen-plus'] }, '/data/0 must be object');
  });

  it('error without param / code', () => {
    const e = errorResponse();
    delete e.error.param;
    delete e.error.code;
    expectInvalid('ErrorResponse', e, "/error must have required property 'param'", "/error must have required property 'code'");
    expectInvalid('ErrorResponse', { message: 'flat error' }, "(root) must have required property 'error'");
  });

  it('assertOpenAIShape includes the offending JSON', () => {
    const c = chatCompletion();
    delete c.choices[0].message.refusal;
    expect(() => assertOpenAIShape('CreateChatCompletionResponse', c)).toThrow(/"id": "chatcmpl-123"/);
  });
});

describe('openai-schemas.json', () => {
  const doc = JSON.parse(readFileSync(new URL('./openai-schemas.json', import.meta.url), 'utf8'));

  it('carries provenance and contains the root schemas', () => {
    expect(doc.$comment).toContain('openai/openai-openapi');
    expect(doc.$comment).toContain('f85dbe223d40e1a31cba812ab2d755c7e98a92a3');
    expect(doc.$comment).toContain('MIT');
    for (const name of [
      'CreateChatCompletionResponse',
      'CreateChatCompletionStreamResponse',
      'ListModelsResponse',
      'Model',
      'ErrorResponse',
      'CreateEmbeddingResponse',
    ]) {
      expect(doc.$defs).toHaveProperty(name);
    }
    expect(Object.keys(doc.$defs)).toEqual([...Object.keys(doc.$defs)].sort());
  });

  it('has no OpenAPI leftovers and every $ref resolves', () => {
    const text = JSON.stringify(doc);
    expect(text).not.toContain('"nullable"');
    expect(text).not.toContain('"discriminator"');
    expect(text).not.toContain('"x-');
    expect(text).not.toContain('#/components/');
    for (const [, name] of text.matchAll(/"\$ref":"#\/\$defs\/([^"]+)"/g)) expect(doc.$defs).toHaveProperty(name!);
  });

  it('unknown schema names are rejected', () => {
    expect(() => validateOpenAIShape('Nope' as OpenAISchemaName, {})).toThrow('unknown OpenAI schema');
  });
});
