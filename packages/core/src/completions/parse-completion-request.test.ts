import { describe, it, expect } from '@jest/globals';
import { GatewayError } from '../errors/gateway-error.js';
import { expectParseError } from '../__fixtures__/expect-parse-error.js';
import { MAX_PROMPTS_PER_REQUEST } from './check-prompt-limits.js';
import { parseCompletionRequest } from './parse-completion-request.js';

const minimal = { model: 'qwen-plus', prompt: 'Say this is a test' };
const withBody = (extra: Record<string, unknown>) => ({ ...minimal, ...extra });

const parseError = (body: unknown, limits?: Parameters<typeof parseCompletionRequest>[1]): GatewayError =>
  expectParseError(() => parseCompletionRequest(body, limits), body);

describe('parseCompletionRequest accepts what it translates', () => {
  it('returns a minimal request unchanged, without warnings', () => {
    expect(parseCompletionRequest(minimal)).toEqual({ request: minimal, warnings: [] });
  });

  it('accepts every shared parameter, the legacy no-ops and the DashScope knobs', () => {
    const body = withBody({
      prompt: ['one', 'two'],
      max_tokens: 16,
      temperature: 0.5,
      top_p: 0.9,
      stop: ['\n', 'END'],
      seed: 42,
      n: 2,
      presence_penalty: 0.5,
      frequency_penalty: 0,
      stream: false,
      logit_bias: {},
      echo: false,
      best_of: 1,
      suffix: '',
      logprobs: null,
      top_k: 20,
      repetition_penalty: 1.1,
      enable_search: false,
      enable_thinking: false,
      thinking_budget: 100,
    });
    expect(() => parseCompletionRequest({ ...body, n: 1 })).not.toThrow();
    expect(parseCompletionRequest({ ...body, best_of: null })).toEqual({ request: { ...body, best_of: null }, warnings: [] });
  });

  it('accepts an array of one string as one prompt, and stream_options with stream', () => {
    expect(parseCompletionRequest(withBody({ prompt: ['only'] })).request.prompt).toEqual(['only']);
    expect(() => parseCompletionRequest(withBody({ stream: true, stream_options: { include_usage: true } }))).not.toThrow();
  });

  it("warns with the chat endpoint's words for frequency_penalty and user", () => {
    const { warnings } = parseCompletionRequest(withBody({ frequency_penalty: 0.5, user: 'user-1234' }));
    expect(warnings.map(({ code, param }) => ({ code, param }))).toEqual([
      { code: 'parameter_dropped', param: 'frequency_penalty' },
      { code: 'parameter_dropped', param: 'user' },
    ]);
    expect(warnings[0]?.message).toContain('repetition_penalty');
  });
});

describe('parseCompletionRequest refuses what it cannot translate, naming the field', () => {
  it.each([
    ['a token array', { prompt: [1212, 318, 257] }, 'prompt'],
    ['an array of token arrays', { prompt: [[1212, 318], [257]] }, 'prompt'],
    ['echo: true', { echo: true }, 'echo'],
    ['best_of above 1', { best_of: 3 }, 'best_of'],
    ['a suffix', { suffix: ' and then?' }, 'suffix'],
    ['logprobs 0', { logprobs: 0 }, 'logprobs'],
    ['logprobs 5', { logprobs: 5 }, 'logprobs'],
    ['a non-empty logit_bias', { logit_bias: { '50256': -100 } }, 'logit_bias'],
    ['a logit_bias keyed "__proto__"', JSON.parse('{"logit_bias": {"__proto__": 5}}') as Record<string, unknown>, 'logit_bias'],
  ])('%s: 400 unsupported_parameter', (_name, extra, param) => {
    expect(parseError(withBody(extra))).toMatchObject({ param, code: 'unsupported_parameter' });
  });

  it('several prompts with stream: true', () => {
    const error = parseError(withBody({ prompt: ['one', 'two'], stream: true }));
    expect(error).toMatchObject({ param: 'prompt', code: 'unsupported_parameter' });
    expect(error.message).toContain('one prompt per streamed request');
  });

  it('several prompts for a model that answers a non-stream request only by a collected stream', () => {
    // qwq-plus is stream-only; qwen-plus thinks only in streams, so enable_thinking: true is collected.
    for (const extra of [{ model: 'qwq-plus' }, { enable_thinking: true }]) {
      expect(parseError(withBody({ prompt: ['one', 'two'], ...extra }))).toMatchObject({ param: 'prompt', code: 'unsupported_parameter' });
      expect(() => parseCompletionRequest(withBody({ prompt: ['one'], ...extra }))).not.toThrow();
    }
  });

  it('an empty prompt, alone or in an array', () => {
    expect(parseError(withBody({ prompt: '' }))).toMatchObject({ param: 'prompt', code: 'invalid_value' });
    expect(parseError(withBody({ prompt: ['one', ''] }))).toMatchObject({ param: 'prompt[1]', code: 'invalid_value' });
    expect(parseError(withBody({ prompt: [] }))).toMatchObject({ param: 'prompt' });
  });

  it('a missing, null or malformed prompt', () => {
    expect(parseError({ model: 'qwen-plus' })).toMatchObject({ param: 'prompt', code: 'missing_required_parameter' });
    expect(parseError(withBody({ prompt: null }))).toMatchObject({ param: 'prompt', code: 'invalid_value' });
    expect(parseError(withBody({ prompt: { text: 'hi' } }))).toMatchObject({ param: 'prompt', code: 'invalid_value' });
    // A token id anywhere in the list is refused as such, as embeddings refuse it in `input`.
    expect(parseError(withBody({ prompt: ['one', 2] }))).toMatchObject({ param: 'prompt', code: 'unsupported_parameter' });
  });

  it('an unknown field, as OpenAI answers it', () => {
    expect(parseError(withBody({ messages: [] }))).toMatchObject({
      param: 'messages',
      message: 'Unrecognized request argument supplied: messages',
    });
  });

  it('values out of range, as chat does', () => {
    expect(parseError(withBody({ temperature: 3 }))).toMatchObject({ param: 'temperature', code: 'invalid_value' });
    expect(parseError(withBody({ max_tokens: 0 }))).toMatchObject({ param: 'max_tokens', code: 'invalid_value' });
    expect(parseError(withBody({ n: 129 }))).toMatchObject({ param: 'n', code: 'invalid_value' });
    expect(parseError(withBody({ logprobs: 6 }))).toMatchObject({ param: 'logprobs', code: 'invalid_value' });
    expect(parseError(withBody({ best_of: 21 }))).toMatchObject({ param: 'best_of', code: 'invalid_value' });
  });

  it("stream_options without stream, with the chat endpoint's words", () => {
    expect(parseError(withBody({ stream_options: { include_usage: true } }))).toMatchObject({ param: 'stream_options' });
  });

  it("best_of below n, OpenAI's rule", () => {
    expect(parseError(withBody({ best_of: 1, n: 2 }))).toMatchObject({ param: 'best_of', code: 'invalid_value' });
  });

  it('a body that is not an object', () => {
    expect(parseError(['prompt'])).toMatchObject({ code: 'invalid_request_body' });
  });
});

describe('parseCompletionRequest applies the request limits to the raw prompts', () => {
  it('caps the prompt count at the smaller of maxMessages and MAX_PROMPTS_PER_REQUEST', () => {
    const prompts = (count: number) => withBody({ prompt: Array.from({ length: count }, (_, i) => `prompt ${i}`) });
    expect(() => parseCompletionRequest(prompts(MAX_PROMPTS_PER_REQUEST))).not.toThrow();
    expect(parseError(prompts(MAX_PROMPTS_PER_REQUEST + 1))).toMatchObject({ param: 'prompt', code: 'array_above_max_length' });
    expect(parseError(prompts(3), { maxMessages: 2, maxTextLength: 1000 })).toMatchObject({
      param: 'prompt',
      code: 'array_above_max_length',
    });
  });

  it('caps the text across all prompts', () => {
    const limits = { maxMessages: 10, maxTextLength: 10 };
    expect(() => parseCompletionRequest(withBody({ prompt: ['12345', '12345'] }), limits)).not.toThrow();
    expect(parseError(withBody({ prompt: ['12345', '123456'] }), limits)).toMatchObject({
      param: 'prompt',
      code: 'string_above_max_length',
    });
    expect(parseError(withBody({ prompt: '12345678901' }), limits)).toMatchObject({ param: 'prompt', code: 'string_above_max_length' });
  });
});
