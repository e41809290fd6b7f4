import { readFileSync } from 'node:fs';
import { describe, it, expect } from '@jest/globals';
import { assertOpenAIShape } from '@gw/testkit';
import { GatewayError } from '../errors/gateway-error.js';
import { convertDashScopeEmbeddingResponses } from './convert-dashscope-embedding-responses.js';
import type { EmbeddingResponse } from './embedding-response-types.js';

const fixtureText = readFileSync(new URL('../__fixtures__/text-embedding-nosse.json', import.meta.url), 'utf8');
/** The recorded text-embedding-v2 reply: one 1536-float vector, text_index 0, total_tokens 3. */
const readRecording = () =>
  JSON.parse(fixtureText) as {
    output: { embeddings: Array<{ embedding: unknown; text_index: unknown }> };
    usage: unknown;
    request_id: string;
  };
const recordedVector = readRecording().output.embeddings[0]?.embedding as number[];

/** What the openai SDKs do with a base64 embedding. */
const decodeBase64 = (text: string) => {
  const bytes = Buffer.from(text, 'base64');
  return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
};

/**
 * OpenAI's schema models `embedding` as floats only, although OpenAI itself answers base64 strings when
 * asked: check base64 bodies with their vectors decoded, as a client sees them.
 */
function assertEmbeddingShape(response: EmbeddingResponse): void {
  const decoded = response.data.map((item) =>
    typeof item.embedding === 'string' ? { ...item, embedding: decodeBase64(item.embedding) } : item,
  );
  assertOpenAIShape('CreateEmbeddingResponse', { ...response, data: decoded });
}

function convert(responses: unknown[], textCounts: number[], encodingFormat: 'float' | 'base64' = 'float') {
  const converted = convertDashScopeEmbeddingResponses({ responses, textCounts, model: 'text-embedding-v2', encodingFormat });
  assertEmbeddingShape(converted.response);
  return converted;
}

function conversionError(responses: unknown[], textCounts: number[]): GatewayError {
  try {
    convertDashScopeEmbeddingResponses({ responses, textCounts, model: 'text-embedding-v2', encodingFormat: 'float' });
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected a GatewayError');
}

describe('convertDashScopeEmbeddingResponses on the recorded reply', () => {
  it('text-embedding-nosse.json as floats: the vector unchanged, usage from total_tokens, the model as the client named it', () => {
    expect(recordedVector).toHaveLength(1536);
    const { response, requestId } = convert([readRecording()], [1]);
    expect(response).toEqual({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: recordedVector }],
      model: 'text-embedding-v2',
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
    expect(requestId).toBe('1773f7b2-2148-9f74-b335-b413e398a116');
  });

  it('as base64: little-endian float32 bytes that the openai SDK decodes back to the vector', () => {
    const { response } = convert([readRecording()], [1], 'base64');
    const embedding = response.data[0]?.embedding;
    expect(typeof embedding).toBe('string');
    const bytes = Buffer.from(embedding as string, 'base64');
    expect(bytes.byteLength).toBe(1536 * 4);
    // Byte order spelled out: the first float, read as little-endian whatever the host.
    expect(bytes.readFloatLE(0)).toBe(Math.fround(recordedVector[0] as number));
    expect(decodeBase64(embedding as string)).toEqual(recordedVector.map(Math.fround));
    // The SDK's own expression, on a fresh Buffer (offset 0).
    expect(Array.from(new Float32Array(Buffer.from(embedding as string, 'base64').buffer))).toHaveLength(1536);
  });
});

describe('convertDashScopeEmbeddingResponses refuses answers that do not embed each text once', () => {
  const withEmbeddings = (embeddings: unknown) => ({ ...readRecording(), output: { embeddings } });

  it.each([
    ['fewer embeddings than texts', withEmbeddings([{ embedding: [0.1], text_index: 0 }]), 2, /1 embeddings for 2 texts/],
    [
      'more embeddings than texts',
      withEmbeddings([
        { embedding: [0.1], text_index: 0 },
        { embedding: [0.2], text_index: 1 },
      ]),
      1,
      /2 embeddings for 1 texts/,
    ],
    ['a missing text_index', withEmbeddings([{ embedding: [0.1] }]), 1, /text_index \(missing\)/],
    ['a text_index out of range', withEmbeddings([{ embedding: [0.1], text_index: 1 }]), 1, /text_index 1 outside/],
    [
      'a duplicate text_index',
      withEmbeddings([
        { embedding: [0.1], text_index: 0 },
        { embedding: [0.2], text_index: 0 },
      ]),
      2,
      /answered twice/,
    ],
    ['a vector with a string in it', withEmbeddings([{ embedding: [0.1, '0.2'], text_index: 0 }]), 1, /not an array of numbers/],
    ['a vector that is not an array', withEmbeddings([{ embedding: 'AAAA', text_index: 0 }]), 1, /not an array of numbers/],
    ['no output', { usage: { total_tokens: 1 }, request_id: 'r' }, 1, /no output.embeddings/],
    ['not an object', 'OK', 1, /unexpected JSON shape/],
  ])('%s: 502 bad_upstream_response', (_name, response, textCount, message) => {
    const error = conversionError([response], [textCount]);
    expect(error).toMatchObject({ status: 502, code: 'bad_upstream_response' });
    expect(error.message).toMatch(message);
  });

  it('an error body with a 200 status: the mapped DashScope error, with its request id', () => {
    const body = { code: 'InvalidParameter', message: 'Range of input length should be [1, 2048]', request_id: 'err-1' };
    expect(conversionError([body], [1])).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_parameter',
      message: 'Range of input length should be [1, 2048]',
      upstreamRequestId: 'err-1',
      upstreamCode: 'InvalidParameter',
    });
  });

  it('a count of answers that is not the count of parts', () => {
    expect(conversionError([readRecording()], [1, 1])).toMatchObject({ code: 'bad_upstream_response' });
  });
});

describe('convertDashScopeEmbeddingResponses refuses vectors a client cannot use', () => {
  const reply = (embeddings: unknown[], usage: unknown = { total_tokens: 3 }) => ({
    output: { embeddings: embeddings.map((embedding, index) => ({ embedding, text_index: index })) },
    usage,
    request_id: 'r',
  });
  const attempt =
    (response: unknown, count: number, format: 'float' | 'base64' = 'float') =>
    () =>
      convertDashScopeEmbeddingResponses({
        responses: [response],
        textCounts: [count],
        model: 'text-embedding-v3',
        encodingFormat: format,
      });

  it.each([
    ['an empty vector', reply([[]]), 1, 'float'],
    ['vectors of different sizes in one answer', reply([[0.1, 0.2], [0.3]]), 2, 'float'],
    ['a value beyond float32, asked as base64', reply([[1e39, 0]]), 1, 'base64'],
    ['a negative token count', reply([[0.1]], { total_tokens: -5 }), 1, 'float'],
    ['a fractional token count', reply([[0.1]], { total_tokens: 1.5 }), 1, 'float'],
  ] as const)('%s: 502 bad_upstream_response', (_name, response, count, format) => {
    expect(attempt(response, count, format)).toThrow(expect.objectContaining({ status: 502, code: 'bad_upstream_response' }));
  });

  it('keeps a large value as it is when asked for floats', () => {
    expect(attempt(reply([[1e39]]), 1)().response.data[0]?.embedding).toEqual([1e39]);
  });
});
