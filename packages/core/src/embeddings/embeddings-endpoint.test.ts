import { readFileSync } from 'node:fs';
import { describe, it, expect } from '@jest/globals';
import { assertOpenAIShape } from '@gw/testkit';
import { DASHSCOPE_PATHS } from '../dashscope/dashscope-paths.js';
import type { BatchUpstreamCall, JsonUpstreamCall, UpstreamCall } from '../endpoints/upstream-call.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { EmbeddingResponse } from './embedding-response-types.js';
import { embeddingsEndpoint } from './embeddings-endpoint.js';

const readJsonFixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url), 'utf8'));
const recording = readJsonFixture('text-embedding-nosse.json') as { output: { embeddings: Array<{ embedding: number[] }> } };
const recordedVector = recording.output.embeddings[0]?.embedding ?? [];
const context = { created: 1_700_000_000, generateId: () => 'unused' };

function prepare(body: unknown): UpstreamCall {
  const { request } = embeddingsEndpoint.parse(body);
  return embeddingsEndpoint.prepare(request, context);
}

/**
 * A part's answer in the recording's shape: `{"output":{"embeddings":[{"embedding","text_index"}]},"usage":
 * {"total_tokens"},"request_id"}`, text_index counting from 0 within the part, listed last to first so
 * that the order has to come from text_index. Each vector starts with its text's position in the whole input.
 */
function answerPart({ start, count, tokens, requestId }: { start: number; count: number; tokens: number; requestId: string }) {
  const embeddings = Array.from({ length: count }, (_, textIndex) => ({
    embedding: [start + textIndex, ...recordedVector.slice(0, 3)],
    text_index: textIndex,
  })).reverse();
  return { output: { embeddings }, usage: { total_tokens: tokens }, request_id: requestId };
}

describe('embeddingsEndpoint', () => {
  it('is POST /embeddings, embeddings.create', () => {
    expect(embeddingsEndpoint).toMatchObject({ kind: 'upstream', id: 'embeddings.create', method: 'POST', path: '/embeddings' });
  });

  it('one part: a json call whose answer is the recording converted', () => {
    const call = prepare({ model: 'text-embedding-v2', input: '代码改变世界', text_type: 'query' }) as JsonUpstreamCall;
    expect(call).toMatchObject({
      kind: 'json',
      path: DASHSCOPE_PATHS.textEmbedding,
      model: 'text-embedding-v2',
      body: { model: 'text-embedding-v2', input: { texts: ['代码改变世界'] }, parameters: { text_type: 'query' } },
    });
    const { body, summary } = call.convertResponse(recording);
    assertOpenAIShape('CreateEmbeddingResponse', body);
    expect(body).toEqual({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: recordedVector }],
      model: 'text-embedding-v2',
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
    expect(summary).toEqual({
      usage: { prompt_tokens: 3, total_tokens: 3 },
      finishReason: undefined,
      requestId: '1773f7b2-2148-9f74-b335-b413e398a116',
    });
  });

  it('23 texts for text-embedding-v3: a batch of 10, 10 and 3, merged in input order with usage summed', () => {
    const input = Array.from({ length: 23 }, (_, index) => `text ${index}`);
    const call = prepare({ model: 'text-embedding-v3', input, dimensions: 64 }) as BatchUpstreamCall;
    expect(call.kind).toBe('batch');
    expect(call.path).toBe(DASHSCOPE_PATHS.textEmbedding);
    expect(call.bodies).toEqual([
      { model: 'text-embedding-v3', input: { texts: input.slice(0, 10) }, parameters: { dimension: 64 } },
      { model: 'text-embedding-v3', input: { texts: input.slice(10, 20) }, parameters: { dimension: 64 } },
      { model: 'text-embedding-v3', input: { texts: input.slice(20) }, parameters: { dimension: 64 } },
    ]);
    expect(call.body).toBe(call.bodies[0]);

    const { body, summary } = call.convertResponses([
      answerPart({ start: 0, count: 10, tokens: 30, requestId: 'part-1' }),
      answerPart({ start: 10, count: 10, tokens: 31, requestId: 'part-2' }),
      answerPart({ start: 20, count: 3, tokens: 9, requestId: 'part-3' }),
    ]);
    assertOpenAIShape('CreateEmbeddingResponse', body);
    const response = body as EmbeddingResponse;
    expect(response.data.map((item) => item.index)).toEqual(input.map((_, index) => index));
    expect(response.data.map((item) => (item.embedding as number[])[0])).toEqual(input.map((_, index) => index));
    expect(response.data[22]).toEqual({ object: 'embedding', index: 22, embedding: [22, ...recordedVector.slice(0, 3)] });
    expect(response.usage).toEqual({ prompt_tokens: 70, total_tokens: 70 });
    expect(response.model).toBe('text-embedding-v3');
    expect(summary).toEqual({ usage: { prompt_tokens: 70, total_tokens: 70 }, finishReason: undefined, requestId: 'part-1' });
  });

  it('a batch as base64: every vector encoded, still in input order', () => {
    const input = Array.from({ length: 12 }, (_, index) => `text ${index}`);
    const call = prepare({ model: 'text-embedding-v4', input, encoding_format: 'base64' }) as BatchUpstreamCall;
    const { body } = call.convertResponses([
      answerPart({ start: 0, count: 10, tokens: 10, requestId: 'a' }),
      answerPart({ start: 10, count: 2, tokens: 2, requestId: 'b' }),
    ]);
    const decoded = (body as EmbeddingResponse).data.map((item) => {
      const bytes = Buffer.from(item.embedding as string, 'base64');
      return { ...item, embedding: Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)) };
    });
    // OpenAI's schema knows float vectors only: checked as the client sees them once decoded.
    assertOpenAIShape('CreateEmbeddingResponse', { ...(body as object), data: decoded });
    expect(decoded.map((item) => item.embedding[0])).toEqual(input.map((_, index) => index));
    expect(decoded[11]?.embedding).toEqual([11, ...recordedVector.slice(0, 3)].map(Math.fround));
  });

  // The HTTP layer's contract: a part DashScope answers with a non-200 status fails the whole call with
  // that part's own error before convertResponses runs, so only an error body sent with a 200 reaches it.
  it('an error body as the second part of a batch: the mapped DashScope error, thrown', () => {
    const input = Array.from({ length: 15 }, (_, index) => `text ${index}`);
    const call = prepare({ model: 'text-embedding-v4', input }) as BatchUpstreamCall;
    const errorBody = readJsonFixture('parameter-error-nosse.json');
    let thrown: unknown;
    try {
      call.convertResponses([answerPart({ start: 0, count: 10, tokens: 10, requestId: 'a' }), errorBody]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect(thrown).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_parameter',
      message: 'Role must be user or assistant and Content length must be greater than 0',
      upstreamRequestId: 'a5898c04-d210-901b-965f-e4bd90478805',
      upstreamCode: 'InvalidParameter',
    });
  });

  it('a part that answers for the wrong number of texts fails the batch with bad_upstream_response', () => {
    const input = Array.from({ length: 15 }, (_, index) => `text ${index}`);
    const call = prepare({ model: 'text-embedding-v4', input }) as BatchUpstreamCall;
    expect(() =>
      call.convertResponses([
        answerPart({ start: 0, count: 10, tokens: 10, requestId: 'a' }),
        answerPart({ start: 10, count: 4, tokens: 4, requestId: 'b' }),
      ]),
    ).toThrow(expect.objectContaining({ status: 502, code: 'bad_upstream_response' }));
  });
});
