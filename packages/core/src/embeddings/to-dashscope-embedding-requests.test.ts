import { describe, it, expect } from '@jest/globals';
import { DASHSCOPE_PATHS } from '../dashscope/dashscope-paths.js';
import { parseEmbeddingRequest } from './parse-embedding-request.js';
import { toDashScopeEmbeddingRequests } from './to-dashscope-embedding-requests.js';

const convert = (body: unknown) => toDashScopeEmbeddingRequests({ request: parseEmbeddingRequest(body).request });
const texts = (count: number) => Array.from({ length: count }, (_, index) => `text ${index}`);

describe('toDashScopeEmbeddingRequests', () => {
  it('sends exactly the recorded request (text-embedding-nosse.request.body.json) for the same input', () => {
    const recorded = { model: 'text-embedding-v2', input: { texts: ['代码改变世界'] }, parameters: { text_type: 'query' } };
    const { path, bodies } = convert({ model: 'text-embedding-v2', input: '代码改变世界', text_type: 'query' });
    expect(path).toBe(DASHSCOPE_PATHS.textEmbedding);
    expect(bodies).toEqual([recorded]);
    expect(JSON.stringify(bodies[0])).toBe(JSON.stringify(recorded));
  });

  it('sends parameters only with what was asked', () => {
    expect(convert({ model: 'text-embedding-v4', input: ['a', 'b'], user: 'u', encoding_format: 'base64' }).bodies).toEqual([
      { model: 'text-embedding-v4', input: { texts: ['a', 'b'] } },
    ]);
  });

  it('sends dimensions as the singular parameters.dimension, with text_type and instruct', () => {
    const body = { model: 'text-embedding-v4', input: 'a', dimensions: 256, text_type: 'document', instruct: 'Classify' };
    expect(convert(body).bodies[0]?.parameters).toEqual({ text_type: 'document', instruct: 'Classify', dimension: 256 });
  });

  it("drops dimensions on a fixed-size model when it is the model's only size", () => {
    expect(convert({ model: 'text-embedding-v1', input: 'a', dimensions: 1536 }).bodies).toEqual([
      { model: 'text-embedding-v1', input: { texts: ['a'] } },
    ]);
  });

  it('forwards dimensions to a model the catalogue does not know: DashScope decides', () => {
    expect(convert({ model: 'text-embedding-v9', input: 'a', dimensions: 3 }).bodies[0]?.parameters).toEqual({ dimension: 3 });
  });

  it.each([
    ['text-embedding-v3', 23, [10, 10, 3]],
    ['text-embedding-v4', 10, [10]],
    ['text-embedding-v2', 60, [25, 25, 10]],
    ['text-embedding-v1', 25, [25]],
    ['an-unknown-embedder', 11, [10, 1]],
  ])('%s with %i texts: parts of %j, in input order, each with the same parameters', (model, count, sizes) => {
    const input = texts(count);
    const { bodies } = convert({ model, input, text_type: 'query' });
    expect(bodies.map((body) => body.input.texts.length)).toEqual(sizes);
    expect(bodies.flatMap((body) => body.input.texts)).toEqual(input);
    for (const body of bodies) expect(body).toMatchObject({ model, parameters: { text_type: 'query' } });
  });
});
