import { describe, it, expect } from '@jest/globals';
import { GatewayError } from '../errors/gateway-error.js';
import { expectParseError } from '../__fixtures__/expect-parse-error.js';
import { parseEmbeddingRequest } from './parse-embedding-request.js';

const minimal = { model: 'text-embedding-v4', input: 'Hello' };
const withBody = (extra: Record<string, unknown>) => ({ ...minimal, ...extra });

const parseError = (body: unknown, limits?: { maxMessages: number; maxTextLength: number }): GatewayError =>
  expectParseError(() => parseEmbeddingRequest(body, limits), body);

describe('parseEmbeddingRequest accepts valid requests', () => {
  it('returns a minimal request unchanged, without warnings', () => {
    expect(parseEmbeddingRequest(minimal)).toEqual({ request: minimal, warnings: [] });
  });

  it('accepts every field, nulls as "not set", and DashScope knobs as extra body fields', () => {
    const body = withBody({
      input: ['a', 'b'],
      dimensions: 512,
      encoding_format: 'base64',
      text_type: 'query',
      instruct: 'Given a question, find the passage that answers it',
    });
    expect(parseEmbeddingRequest(body)).toEqual({ request: body, warnings: [] });
    const nulls = withBody({ dimensions: null, encoding_format: null, user: null, text_type: null, instruct: null });
    expect(parseEmbeddingRequest(nulls).warnings).toEqual([]);
  });

  it('drops user with a warning, as chat does', () => {
    expect(parseEmbeddingRequest(withBody({ user: 'alice' })).warnings).toEqual([
      { code: 'parameter_dropped', param: 'user', message: "Parameter 'user' was dropped: DashScope has no equivalent." },
    ]);
  });

  it('accepts dimensions on a fixed-size model when it is that size, and any dimensions on an unknown model', () => {
    expect(() => parseEmbeddingRequest({ model: 'text-embedding-v2', input: 'a', dimensions: 1536 })).not.toThrow();
    expect(() => parseEmbeddingRequest({ model: 'text-embedding-v9', input: 'a', dimensions: 3 })).not.toThrow();
  });

  it('accepts exactly the limits', () => {
    const limits = { maxMessages: 3, maxTextLength: 6 };
    expect(() => parseEmbeddingRequest(withBody({ input: ['ab', 'cd', 'ef'] }), limits)).not.toThrow();
  });
});

describe('parseEmbeddingRequest refuses what DashScope cannot embed', () => {
  it.each([
    ['an array of token ids', [1, 2, 3]],
    ['an array of token arrays', [[1, 2], [3]]],
    ['a mix of text and tokens', ['a', 5]],
  ])('%s: 400 unsupported_parameter naming input, saying DashScope takes text only', (_name, input) => {
    const error = parseError(withBody({ input }));
    expect(error).toMatchObject({ param: 'input', code: 'unsupported_parameter' });
    expect(error.message).toMatch(/DashScope takes text only/);
  });

  it('names an empty string, whole or in the array', () => {
    expect(parseError(withBody({ input: '' }))).toMatchObject({
      param: 'input',
      code: 'invalid_value',
      message: "Invalid value for 'input': must not be an empty string",
    });
    expect(parseError(withBody({ input: ['a', 'b', ''] }))).toMatchObject({ param: 'input[2]', code: 'invalid_value' });
  });

  it('refuses an empty array, a missing input and a non-text input', () => {
    expect(parseError(withBody({ input: [] }))).toMatchObject({ param: 'input', message: expect.stringMatching(/at least one string/) });
    expect(parseError({ model: 'text-embedding-v4' })).toMatchObject({ param: 'input', code: 'missing_required_parameter' });
    expect(parseError(withBody({ input: { text: 'a' } }))).toMatchObject({ param: 'input', code: 'invalid_value' });
  });

  it('refuses more inputs than maxMessages with OpenAI wording, before any other check', () => {
    // Token ids would be refused too, but the count is checked first, on the raw body.
    const error = parseError(withBody({ input: [1, 2, 3, 4] }), { maxMessages: 3, maxTextLength: 100 });
    expect(error).toMatchObject({
      param: 'input',
      code: 'array_above_max_length',
      message: "Invalid 'input': array too long. Expected an array with maximum length 3, but got an array with length 4 instead.",
    });
    expect(parseError(withBody({ input: Array.from({ length: 2049 }, () => 'a') }))).toMatchObject({ code: 'array_above_max_length' });
  });

  it('refuses more text than maxTextLength, in a string or across the array', () => {
    const limits = { maxMessages: 10, maxTextLength: 5 };
    expect(parseError(withBody({ input: 'abcdef' }), limits)).toMatchObject({ param: 'input', code: 'string_above_max_length' });
    expect(parseError(withBody({ input: ['abc', 'def'] }), limits)).toMatchObject({ param: 'input', code: 'string_above_max_length' });
  });

  it('refuses an unknown field as OpenAI does (output_type, sparse vectors, has no OpenAI form)', () => {
    expect(parseError(withBody({ output_type: 'sparse' }))).toMatchObject({
      param: 'output_type',
      message: 'Unrecognized request argument supplied: output_type',
    });
  });

  it('refuses bad values of the other fields', () => {
    expect(parseError(withBody({ model: '' }))).toMatchObject({ param: 'model' });
    expect(parseError(withBody({ dimensions: 0 }))).toMatchObject({ param: 'dimensions', code: 'invalid_value' });
    expect(parseError(withBody({ dimensions: 1.5 }))).toMatchObject({ param: 'dimensions', code: 'invalid_value' });
    expect(parseError(withBody({ encoding_format: 'int8' }))).toMatchObject({ param: 'encoding_format', code: 'invalid_value' });
    expect(parseError(withBody({ text_type: 'passage' }))).toMatchObject({ param: 'text_type', code: 'invalid_value' });
    expect(parseError([minimal])).toMatchObject({ code: 'invalid_request_body' });
  });

  it.each(['text-embedding-v1', 'text-embedding-v2'])(
    '%s ignores dimension upstream, so another size is a 400 naming dimensions rather than 1536 floats',
    (model) => {
      const error = parseError({ model, input: 'a', dimensions: 1024 });
      expect(error).toMatchObject({ param: 'dimensions', code: 'unsupported_parameter' });
      expect(error.message).toMatch(/always answers 1536 dimensions/);
    },
  );
});

describe('parseEmbeddingRequest counts instruct once per DashScope call', () => {
  it('refuses an instruction that, copied into every part, passes the text limit', () => {
    const limits = { maxMessages: 2048, maxTextLength: 1000 };
    // 25 inputs on v4 are 3 parts: 3 × 400 characters of instruction.
    const body = withBody({ input: Array.from({ length: 25 }, () => 'a'), instruct: 'x'.repeat(400) });
    expect(parseError(body, limits)).toMatchObject({ param: 'instruct', code: 'string_above_max_length' });
    expect(parseEmbeddingRequest({ ...body, input: Array.from({ length: 10 }, () => 'a') }, limits).request.instruct).toHaveLength(400);
  });
});
