import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { OpenAIEmbeddings } from '@langchain/openai';
import OpenAI from 'openai';
import { assertOpenAIShape } from '@gw/testkit';
import { startStack, waitFor, type Stack } from './start-stack.js';

/** Embeddings through the gateway with real clients, against the fake DashScope's per-call limits. */
let stack: Stack;
let client: OpenAI;
beforeAll(async () => {
  stack = await startStack({
    // A text containing FAIL makes its part fail, as DashScope would for one bad text.
    fake: {
      behave: (request) => {
        const body = JSON.stringify(request.body);
        if (body.includes('HANG')) return { type: 'hang' };
        if (body.includes('LIMIT'))
          return { type: 'error', status: 429, code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded' };
        if (body.includes('FAIL'))
          return { type: 'error', status: 400, code: 'InvalidParameter', message: 'The text of input.texts[3] is invalid.' };
        return undefined;
      },
    },
  });
  client = new OpenAI({ apiKey: 'sk-embed', baseURL: `${stack.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => stack.fake.reset());

const texts = (count: number) => Array.from({ length: count }, (_, index) => `文本 ${index}: the quick brown fox ${index}`);

describe('POST /v1/embeddings', () => {
  it('answers float vectors in OpenAI’s shape, with dimensions as DashScope’s dimension', async () => {
    const response = await client.embeddings.create({
      model: 'text-embedding-v4',
      input: 'hello',
      dimensions: 256,
      encoding_format: 'float',
    });
    assertOpenAIShape('CreateEmbeddingResponse', response);
    expect(response.data).toHaveLength(1);
    expect(response.data[0]?.embedding).toHaveLength(256);
    expect(response.model).toBe('text-embedding-v4');
    expect(response.usage.prompt_tokens).toBe(response.usage.total_tokens);
    expect(stack.fake.requests[0]?.body).toEqual({
      model: 'text-embedding-v4',
      input: { texts: ['hello'] },
      parameters: { dimension: 256 },
    });
  });

  it('encodes base64 itself (DashScope has floats only), and the SDK decodes it to the same vectors', async () => {
    const floats = await client.embeddings.create({ model: 'text-embedding-v3', input: ['a', 'b'], encoding_format: 'float' });
    // The SDK asks for base64 by default and decodes it.
    const decoded = await client.embeddings.create({ model: 'text-embedding-v3', input: ['a', 'b'] });
    expect(decoded.data.map((item) => item.embedding.length)).toEqual([1024, 1024]);
    decoded.data.forEach((item, index) => {
      const expected = floats.data[index]?.embedding ?? [];
      item.embedding.forEach((value, position) => expect(value).toBeCloseTo(expected[position] ?? NaN, 6));
    });
    const raw = await fetch(`${stack.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-embed', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'text-embedding-v3', input: 'a', encoding_format: 'base64' }),
    });
    const body = (await raw.json()) as { data: Array<{ embedding: unknown }> };
    expect(typeof body.data[0]?.embedding).toBe('string');
  });

  it('splits 23 texts into calls DashScope takes (10, 10, 3), merged in input order with usage summed', async () => {
    const input = texts(23);
    const response = await client.embeddings.create({ model: 'text-embedding-v3', input, encoding_format: 'float' });
    expect(response.data.map((item) => item.index)).toEqual(input.map((_, index) => index));
    const sent = stack.fake.requests.map((request) => (request.body as { input: { texts: string[] } }).input.texts);
    expect(sent.map((part) => part.length).sort()).toEqual([10, 10, 3]);
    expect(sent.flat().sort()).toEqual([...input].sort());
    // Each vector belongs to its own text: embed one text alone and compare.
    const single = await client.embeddings.create({ model: 'text-embedding-v3', input: input[17] ?? '', encoding_format: 'float' });
    expect(response.data[17]?.embedding).toEqual(single.data[0]?.embedding);
    const perText = await Promise.all(
      [0, 12, 22].map((index) =>
        client.embeddings.create({ model: 'text-embedding-v3', input: input[index] ?? '', encoding_format: 'float' }),
      ),
    );
    expect(response.usage.total_tokens).toBeGreaterThan(perText.reduce((sum, part) => sum + part.usage.total_tokens, 0));
  });

  it('fails the whole request with the error of the part that failed', async () => {
    const input = texts(25);
    input[13] = 'FAIL';
    const response = await fetch(`${stack.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-embed', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'text-embedding-v3', input }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { message: 'The text of input.texts[3] is invalid.', type: 'invalid_request_error' },
    });
  });

  it('answers a failed part at once, and stops the part the proxy sent even while it hangs', async () => {
    const input = texts(30);
    input[2] = 'HANG';
    input[25] = 'LIMIT';
    const started = Date.now();
    const response = await fetch(`${stack.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-embed', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'text-embedding-v3', input }),
    });
    expect(response.status).toBe(429);
    expect(await response.json()).toMatchObject({ error: { message: 'Requests rate limit exceeded' } });
    expect(Date.now() - started).toBeLessThan(5_000);
    await waitFor(() => stack.fake.openResponses === 0);
  });

  it('refuses token arrays, naming input', async () => {
    const response = await fetch(`${stack.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-embed', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'text-embedding-v3', input: [[1, 2, 3]] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { param: 'input', code: 'unsupported_parameter' } });
    expect(stack.fake.requests).toHaveLength(0);
  });
});

describe('LangChain’s OpenAIEmbeddings', () => {
  it('embeds 23 documents in order', async () => {
    const embeddings = new OpenAIEmbeddings({
      model: 'text-embedding-v3',
      apiKey: 'sk-langchain',
      configuration: { baseURL: `${stack.url}/v1` },
      batchSize: 100,
    });
    const documents = texts(23);
    const vectors = await embeddings.embedDocuments(documents);
    expect(vectors).toHaveLength(23);
    const query = await embeddings.embedQuery(documents[9] ?? '');
    vectors[9]?.forEach((value, position) => expect(value).toBeCloseTo(query[position] ?? NaN, 6));
    expect(vectors[8]).not.toEqual(vectors[9]);
  });
});
