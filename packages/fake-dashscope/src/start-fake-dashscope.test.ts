import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { DASHSCOPE_PATH_BY_KIND, MODEL_CATALOGUE, type DashScopeEndpointKind } from '@gw/core';
import { chat, finishOf, KEY, outcomeOf, parseSse, post, textOf, type Json } from './__fixtures__/fake-client.js';
import { DASHSCOPE_PATHS, startFakeDashScope, type FakeDashScope } from './index.js';

/** Reads a body until it ends or fails, returning what arrived and whether it failed. */
async function readUntilError(response: Response): Promise<{ text: string; failed: boolean }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text: text + decoder.decode(), failed: false };
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { text, failed: true };
  }
}

/** A node:http request that keeps the body pieces as they arrived (fetch would merge them). */
function rawPost(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; chunks: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: 'POST', headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, chunks }));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('fake DashScope', () => {
  let fake: FakeDashScope;
  beforeAll(async () => {
    fake = await startFakeDashScope();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  describe('streaming framing', () => {
    it('emits byte-exact DashScope frames: ids from 1, no [DONE], closing after the finish event', async () => {
      const response = await post(
        fake,
        DASHSCOPE_PATHS.textGeneration,
        chat('hello', { result_format: 'message', incremental_output: true }),
        {
          stream: true,
        },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream;charset=UTF-8');
      const text = await response.text();
      expect(text).not.toContain('[DONE]');
      expect(text).toMatch(/^(id:\d+\nevent:result\n:HTTP_STATUS\/200\ndata:\{[^\n]*\}\n\n)+$/);
      const events = parseSse(text);
      expect(events.length).toBeGreaterThan(2);
      expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
      const requestId = response.headers.get('x-request-id');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      for (const event of events) expect(event.data.request_id).toBe(requestId);
      expect(events.slice(0, -1).every((event) => finishOf(event.data) === 'null')).toBe(true);
      expect(finishOf(events.at(-1)!.data)).toBe('stop');

      // Key order of the 2025 recordings; "hello" = 3 input tokens, the first event carries one token.
      expect(events[0]!.raw).toBe(
        `{"output":{"choices":[{"message":{"content":"您好","role":"assistant"},"index":0,"finish_reason":"null"}]},` +
          `"usage":{"total_tokens":4,"output_tokens":1,"input_tokens":3,"prompt_tokens_details":{"cached_tokens":0}},"request_id":"${requestId}"}`,
      );
      expect(events.at(-1)!.raw).toMatch(
        /^\{"output":\{"choices":\[\{"message":\{"content":"","role":"assistant"\},"index":0,"finish_reason":"stop"\}\]\},"usage":\{"total_tokens":\d+,"output_tokens":\d+,"input_tokens":3,"prompt_tokens_details":\{"cached_tokens":0\}\},"request_id":"[^"]+"\}$/,
      );
    });

    it('streams when only X-DashScope-SSE: enable is sent', async () => {
      const response = await post(fake, DASHSCOPE_PATHS.textGeneration, chat('hi'), { headers: { 'X-DashScope-SSE': 'enable' } });
      expect(response.headers.get('content-type')).toBe('text/event-stream;charset=UTF-8');
      expect(parseSse(await response.text()).length).toBeGreaterThan(1);
    });

    it('incremental events concatenate to the non-stream answer, with cumulative usage', async () => {
      const body = chat('incremental please', { result_format: 'message', incremental_output: true });
      const events = parseSse(await (await post(fake, DASHSCOPE_PATHS.textGeneration, body, { stream: true })).text());
      const whole = (await (await post(fake, DASHSCOPE_PATHS.textGeneration, body)).json()) as Json;
      expect(events.map((event) => textOf(event.data)).join('')).toBe(textOf(whole));
      expect(textOf(events.at(-1)!.data)).toBe('');
      const usages = events.map((event) => event.data.usage as Record<string, number>);
      for (const [index, usage] of usages.entries()) {
        expect(usage.input_tokens).toBe(Math.ceil(Array.from('incremental please').length / 2));
        expect(usage.total_tokens).toBe(usage.input_tokens! + usage.output_tokens!);
        if (index > 0) expect(usage.output_tokens).toBeGreaterThanOrEqual(usages[index - 1]!.output_tokens!);
      }
      expect(usages.at(-1)).toEqual(whole.usage);
    });

    it('cumulative events repeat the text so far and the final event the whole text', async () => {
      const body = chat('cumulative', { result_format: 'message' });
      const events = parseSse(await (await post(fake, DASHSCOPE_PATHS.textGeneration, body, { stream: true })).text());
      const texts = events.map((event) => textOf(event.data));
      for (let index = 1; index < texts.length; index += 1) expect(texts[index]!.startsWith(texts[index - 1]!)).toBe(true);
      expect(texts.at(-1)).toBe(texts.at(-2));
      expect(texts.at(-1)).toBe('您好！这是模拟的 DashScope 回答 😊 You said: cumulative');
      expect(finishOf(events.at(-1)!.data)).toBe('stop');
    });

    it('uses the text result format by default, ending with an empty incremental text', async () => {
      const body = { model: 'qwen-max', input: { prompt: '1+1' }, parameters: { incremental_output: true } };
      const events = parseSse(await (await post(fake, DASHSCOPE_PATHS.textGeneration, body, { stream: true })).text());
      expect(events[0]!.raw).toMatch(/^\{"output":\{"finish_reason":"null","text":"您好"\},"usage":\{"total_tokens":/);
      expect(events.at(-1)!.data.output).toEqual({ finish_reason: 'stop', text: '' });
    });
  });

  describe('non-stream answers', () => {
    it('follows single-generation-text-nosse for result_format text', async () => {
      const response = await post(fake, DASHSCOPE_PATHS.textGeneration, { model: 'qwen-max', input: { prompt: 'ab' } });
      expect(response.headers.get('content-type')).toBe('application/json');
      const requestId = response.headers.get('x-request-id');
      expect(await response.text()).toBe(
        `{"output":{"finish_reason":"stop","text":"您好！这是模拟的 DashScope 回答 😊 You said: ab"},` +
          `"usage":{"total_tokens":21,"output_tokens":20,"input_tokens":1,"prompt_tokens_details":{"cached_tokens":0}},"request_id":"${requestId}"}`,
      );
    });

    it('follows single-generation-message-nosse for result_format message', async () => {
      const text = await (await post(fake, DASHSCOPE_PATHS.textGeneration, chat('你好，世界', { result_format: 'message' }))).text();
      expect(text).toMatch(
        /^\{"output":\{"choices":\[\{"finish_reason":"stop","message":\{"role":"assistant","content":"您好！这是模拟的 DashScope 回答 😊 You said: 你好，世界"\}\}\]\},"usage":\{"total_tokens":\d+,"output_tokens":\d+,"input_tokens":3,/,
      );
    });

    it('appends a legacy prompt after the messages', async () => {
      const body = { model: 'qwen-plus', input: { messages: [{ role: 'system', content: 'be brief' }], prompt: 'from prompt' } };
      const json = (await (await post(fake, DASHSCOPE_PATHS.textGeneration, body)).json()) as Json;
      expect(textOf(json)).toContain('You said: from prompt');
    });

    it('stops with "length" after max_tokens output tokens', async () => {
      for (const name of ['max_tokens', 'max_completion_tokens']) {
        const json = (await (await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x', { [name]: 3 }))).json()) as Json;
        expect(json.output).toEqual({ finish_reason: 'length', text: '您好！这是模' });
        expect((json.usage as Json).output_tokens).toBe(3);
      }
      const events = parseSse(
        await (
          await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x', { max_tokens: 4, incremental_output: true }), { stream: true })
        ).text(),
      );
      expect(finishOf(events.at(-1)!.data)).toBe('length');
      expect((events.at(-1)!.data.usage as Json).output_tokens).toBe(4);
    });

    it('cuts the answer before a stop string and ignores token-id stops', async () => {
      const json = (await (await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x', { stop: ['Dash', [[37763, 367]]] }))).json()) as Json;
      expect(json.output).toEqual({ finish_reason: 'stop', text: '您好！这是模拟的 ' });
      const single = (await (await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x', { stop: '😊' }))).json()) as Json;
      expect(textOf(single)).toBe('您好！这是模拟的 DashScope 回答 ');
    });

    it('accepts unknown parameters', async () => {
      const response = await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x', { stream: true, brand_new_flag: { a: 1 }, seed: 1 }));
      expect(response.status).toBe(200);
    });
  });

  describe('errors', () => {
    it('answers 401 JSON for a missing or invalid key, even when streaming, without consuming scripts', async () => {
      fake.enqueue({ type: 'reply', text: 'scripted' });
      for (const key of [null, 'sk-invalid', 'not-a-key']) {
        const response = await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x'), { key, stream: true });
        expect(response.status).toBe(401);
        expect(response.headers.get('content-type')).toBe('application/json');
        const requestId = response.headers.get('x-request-id');
        expect(await response.text()).toBe(`{"code":"InvalidApiKey","message":"Invalid API-key provided.","request_id":"${requestId}"}`);
      }
      const json = (await (await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x'))).json()) as Json;
      expect(textOf(json)).toBe('scripted');
    });

    it('rejects unknown, missing and misrouted models', async () => {
      const unknown = await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x', {}, 'gpt-4o'));
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toMatchObject({ code: 'InvalidParameter', message: 'Model not exist.' });
      const missing = await post(fake, DASHSCOPE_PATHS.textGeneration, { input: { prompt: 'x' } });
      expect(missing.status).toBe(400);
      expect(await missing.json()).toMatchObject({ code: 'BadRequest.EmptyModel' });
      const misrouted = await post(fake, DASHSCOPE_PATHS.multimodalGeneration, chat('x', {}, 'qwen-plus'));
      expect(misrouted.status).toBe(400);
      expect(await misrouted.json()).toMatchObject({ code: 'InvalidParameter', message: 'url error, please check url！' });
    });

    it("serves each model of @gw/core's catalogue on its own endpoint and calls it misrouted on the others", async () => {
      // Incremental streams: every chat model takes them, stream-only and always-thinking ones included.
      const parameters = { incremental_output: true };
      const bodies: Record<DashScopeEndpointKind, (model: string) => Json> = {
        'text-generation': (model) => chat('x', parameters, model),
        'multimodal-generation': (model) => ({ model, input: { messages: [{ role: 'user', content: [{ text: 'x' }] }] }, parameters }),
        'text-embedding': (model) => ({ model, input: { texts: ['x'] } }),
      };
      for (const { id, endpoint: servedBy } of MODEL_CATALOGUE) {
        for (const [endpoint, bodyFor] of Object.entries(bodies) as Array<[DashScopeEndpointKind, (model: string) => Json]>) {
          const response = await post(fake, DASHSCOPE_PATH_BY_KIND[endpoint], bodyFor(id), { stream: true });
          expect({ id, endpoint, ...(await outcomeOf(response)) }).toEqual(
            endpoint === servedBy
              ? { id, endpoint, status: 200 }
              : { id, endpoint, status: 400, code: 'InvalidParameter', message: 'url error, please check url！' },
          );
        }
      }
    });

    it('answers a streaming validation error as 200 + event:error with :HTTP_STATUS/400', async () => {
      const body = { model: 'qwen-max', input: { prompt: '1+1', messages: [] }, parameters: { incremental_output: true } };
      const response = await post(fake, DASHSCOPE_PATHS.textGeneration, body, { stream: true });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream;charset=UTF-8');
      const requestId = response.headers.get('x-request-id');
      expect(await response.text()).toBe(
        'id:1\nevent:error\n:HTTP_STATUS/400\n' +
          `data:{"code":"InvalidParameter","message":"Role must be user or assistant and Content length must be greater than 0","request_id":"${requestId}"}\n\n`,
      );
      const plain = await post(fake, DASHSCOPE_PATHS.textGeneration, body);
      expect(plain.status).toBe(400);
      expect(await plain.json()).toMatchObject({ code: 'InvalidParameter' });
    });

    it('validates the input like DashScope', async () => {
      const cases: Array<[unknown, string]> = [
        [{ model: 'qwen-plus', input: {} }, 'Either "prompt" or "messages" must exist and cannot both be none.'],
        [chat(''), 'Role must be user or assistant and Content length must be greater than 0'],
        [{ model: 'qwen-plus', input: { messages: [{ role: 'user', content: [{ text: 'x' }] }] } }, 'input content must be a string.'],
        ['{not json', 'The request body is not valid JSON.'],
      ];
      for (const [body, message] of cases) {
        const response = await post(fake, DASHSCOPE_PATHS.textGeneration, body);
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ code: 'InvalidParameter', message });
      }
    });

    it('answers InvalidURL for other paths and methods', async () => {
      const wrongPath = await post(fake, '/api/v1/services/aigc/text-generation/nope', chat('x'));
      expect(wrongPath.status).toBe(400);
      expect(await wrongPath.json()).toMatchObject({ code: 'InvalidURL', message: 'url error, please check url！' });
      const get = await fetch(`${fake.url}${DASHSCOPE_PATHS.textGeneration}`);
      expect(get.status).toBe(400);
      expect(await get.json()).toMatchObject({ code: 'InvalidURL' });
    });
  });

  describe('multimodal generation', () => {
    const vision = (parameters: Json = {}): Json => ({
      model: 'qwen-vl-plus',
      input: {
        messages: [
          { role: 'system', content: [{ text: 'You are a helpful assistant.' }] },
          { role: 'user', content: [{ image: 'https://example.com/dog.jpeg' }, { text: '这是哪里' }] },
        ],
      },
      parameters,
    });

    it('answers with a content list and image tokens (multimodal-generation-vl-nosse)', async () => {
      const text = await (await post(fake, DASHSCOPE_PATHS.multimodalGeneration, vision())).text();
      expect(text).toMatch(
        /^\{"output":\{"choices":\[\{"finish_reason":"stop","message":\{"role":"assistant","content":\[\{"text":"您好！[^"]*这是哪里"\}\]\}\}\]\},"usage":\{"output_tokens":\d+,"input_tokens":\d+,"image_tokens":256\},"request_id":"[^"]+"\}$/,
      );
    });

    it('streams content lists and ends on the last text event (multimodal-generation-vl-sse)', async () => {
      const response = await post(fake, DASHSCOPE_PATHS.multimodalGeneration, vision({ incremental_output: true }), { stream: true });
      const events = parseSse(await response.text());
      expect(events[0]!.raw).toMatch(
        /^\{"output":\{"choices":\[\{"message":\{"content":\[\{"text":"您好"\}\],"role":"assistant"\},"finish_reason":"null"\}\]\},"usage":\{"input_tokens":\d+,"output_tokens":1,"image_tokens":256\},"request_id":/,
      );
      expect(finishOf(events.at(-1)!.data)).toBe('stop');
      expect(textOf(events.at(-1)!.data)).not.toBe('');
      expect(events.map((event) => textOf(event.data)).join('')).toContain('这是哪里');
    });

    it('rejects string content and unknown content items', async () => {
      for (const content of ['plain string', [{ type: 'text', text: 'x' }], [{ text: 'x', image: 'y' }]]) {
        const body = { model: 'qwen-vl-max', input: { messages: [{ role: 'user', content }] } };
        const response = await post(fake, DASHSCOPE_PATHS.multimodalGeneration, body);
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ code: 'InvalidParameter' });
      }
    });
  });

  describe('embeddings', () => {
    const embed = (model: string, texts: unknown, parameters: Json = {}): Promise<Response> =>
      post(fake, DASHSCOPE_PATHS.textEmbedding, { model, input: { texts }, parameters });

    it('returns deterministic unit vectors in the recorded shape', async () => {
      const response = await embed('text-embedding-v2', ['代码改变世界', 'hello']);
      expect(response.status).toBe(200);
      const json = (await response.json()) as {
        output: { embeddings: Array<{ embedding: number[]; text_index: number }> };
        usage: Json;
        request_id: string;
      };
      expect(Object.keys(json)).toEqual(['output', 'usage', 'request_id']);
      expect(json.output.embeddings.map((item) => [item.text_index, item.embedding.length])).toEqual([
        [0, 1536],
        [1, 1536],
      ]);
      expect(json.usage).toEqual({ total_tokens: 6 });
      const first = json.output.embeddings[0]!.embedding;
      expect(Math.hypot(...first)).toBeCloseTo(1, 6);
      const again = (await (await embed('text-embedding-v2', ['代码改变世界'])).json()) as typeof json;
      expect(again.output.embeddings[0]!.embedding).toEqual(first);
      expect(json.output.embeddings[1]!.embedding).not.toEqual(first);
    });

    it('uses 1024 dimensions for v3/v4 unless parameters.dimension says otherwise', async () => {
      const v3 = (await (await embed('text-embedding-v3', ['a'])).json()) as { output: { embeddings: Array<{ embedding: number[] }> } };
      expect(v3.output.embeddings[0]!.embedding).toHaveLength(1024);
      const v4 = (await (await embed('text-embedding-v4', ['a'], { dimension: 512 })).json()) as typeof v3;
      expect(v4.output.embeddings[0]!.embedding).toHaveLength(512);
      expect((await embed('text-embedding-v3', ['a'], { dimension: 999 })).status).toBe(400);
    });

    it('enforces the batch limits (25 for v1/v2, 10 for v3/v4)', async () => {
      expect(
        (
          await embed(
            'text-embedding-v1',
            Array.from({ length: 25 }, () => 'x'),
          )
        ).status,
      ).toBe(200);
      const tooMany = await embed(
        'text-embedding-v1',
        Array.from({ length: 26 }, () => 'x'),
      );
      expect(tooMany.status).toBe(400);
      expect(await tooMany.json()).toMatchObject({ code: 'InvalidParameter', message: expect.stringContaining('not be larger than 25') });
      const v4 = await embed(
        'text-embedding-v4',
        Array.from({ length: 11 }, () => 'x'),
      );
      expect(await v4.json()).toMatchObject({ code: 'InvalidParameter', message: expect.stringContaining('not be larger than 10') });
      expect((await embed('text-embedding-v2', 'not a list')).status).toBe(400);
      expect((await embed('qwen-plus', ['x'])).status).toBe(400);
    });
  });

  describe('scripts', () => {
    it('sends a scripted JSON error with extra headers, once', async () => {
      fake.enqueue({
        type: 'error',
        status: 429,
        code: 'Throttling.RateQuota',
        message: 'Requests rate limit exceeded.',
        headers: { 'retry-after': '2' },
      });
      const response = await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x'), { stream: true });
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('2');
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({
        code: 'Throttling.RateQuota',
        message: 'Requests rate limit exceeded.',
        request_id: response.headers.get('x-request-id'),
      });
      expect((await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x'))).status).toBe(200);
    });

    it('sends scripted errors as an SSE event (200) or an SSE body (error status)', async () => {
      fake.enqueue(
        {
          type: 'error',
          status: 400,
          code: 'DataInspectionFailed',
          message: 'Input data may contain inappropriate content.',
          as: 'sse-event',
        },
        { type: 'error', status: 500, code: 'InternalError', message: 'boom', as: 'sse-body' },
      );
      const event = await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x'), { stream: true });
      expect(event.status).toBe(200);
      const [only] = parseSse(await event.text());
      expect(only).toMatchObject({ id: 1, event: 'error', status: 400, data: { code: 'DataInspectionFailed' } });
      const body = await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x'), { stream: true });
      expect(body.status).toBe(500);
      expect(body.headers.get('content-type')).toBe('text/event-stream;charset=UTF-8');
      expect(parseSse(await body.text())).toMatchObject([
        { id: 1, event: 'error', status: 500, data: { code: 'InternalError', message: 'boom' } },
      ]);
    });

    it('fails a stream after some events with event:error', async () => {
      fake.enqueue({ type: 'fail-after', events: 2, status: 500, code: 'InternalError.Algo', message: 'algo failed' });
      const events = parseSse(
        await (await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x', { incremental_output: true }), { stream: true })).text(),
      );
      expect(events.map((event) => [event.id, event.event, event.status])).toEqual([
        [1, 'result', 200],
        [2, 'result', 200],
        [3, 'error', 500],
      ]);
      expect(events[2]!.data).toMatchObject({ code: 'InternalError.Algo', message: 'algo failed' });
      expect(finishOf(events[1]!.data)).toBe('null');

      fake.enqueue({ type: 'fail-after', events: 2, status: 503, code: 'ModelUnavailable', message: 'later' });
      const plain = await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x'));
      expect(plain.status).toBe(503);
      expect(await plain.json()).toMatchObject({ code: 'ModelUnavailable' });
    });

    it('replies with raw bytes', async () => {
      const body = 'id:1\nevent:result\n:HTTP_STATUS/200\ndata:{"weird":true}\n\n';
      fake.enqueue({ type: 'raw', status: 202, headers: { 'content-type': 'text/plain', 'x-custom': 'yes' }, body });
      const response = await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x'));
      expect(response.status).toBe(202);
      expect(response.headers.get('x-custom')).toBe('yes');
      expect(response.headers.get('x-request-id')).toBeNull();
      expect(await response.text()).toBe(body);
    });

    it('overrides the answer text and finish reason', async () => {
      fake.enqueue({ type: 'reply', text: 'scripted 答案', finishReason: 'length' });
      const json = (await (await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x'))).json()) as Json;
      expect(json.output).toEqual({ finish_reason: 'length', text: 'scripted 答案' });
    });

    it('drops the connection before any header', async () => {
      fake.enqueue({ type: 'drop' });
      await expect(post(fake, DASHSCOPE_PATHS.textGeneration, chat('x'))).rejects.toThrow();
      expect(fake.requests).toHaveLength(1);
    });

    it('drops the connection after some events', async () => {
      fake.enqueue({ type: 'drop', afterEvents: 2 });
      const response = await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x', { incremental_output: true }), { stream: true });
      expect(response.status).toBe(200);
      const { text, failed } = await readUntilError(response);
      expect(failed).toBe(true);
      expect(parseSse(text).map((event) => event.id)).toEqual([1, 2]);

      fake.enqueue({ type: 'drop', afterEvents: 1 });
      const plain = await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x'));
      expect((await readUntilError(plain)).failed).toBe(true);
    });

    it('hangs until close(), which does not wait for it', async () => {
      const own = await startFakeDashScope();
      own.enqueue({ type: 'hang' });
      const pending = post(own, DASHSCOPE_PATHS.textGeneration, chat('x'), { stream: true });
      const settled = pending.then(
        () => 'resolved',
        () => 'rejected',
      );
      while (own.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const started = Date.now();
      await own.close();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await settled).toBe('rejected');
      await own.close(); // idempotent
    });

    it('consumes scripts in FIFO order and reset() clears them', async () => {
      fake.enqueue({ type: 'reply', text: 'one' }, { type: 'reply', text: 'two' });
      expect(textOf((await (await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x'))).json()) as Json)).toBe('one');
      fake.reset();
      expect(fake.requests).toHaveLength(0);
      expect(textOf((await (await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x'))).json()) as Json)).not.toBe('two');
    });
  });

  it('records every request, failed ones too', async () => {
    await post(fake, `${DASHSCOPE_PATHS.textGeneration}?trace=1`, chat('recorded'), { headers: { 'x-dashscope-workspace': 'ws-1' } });
    await post(fake, DASHSCOPE_PATHS.textGeneration, 'not json', { key: null });
    expect(fake.requests).toHaveLength(2);
    const [first, second] = fake.requests;
    expect(first).toMatchObject({ method: 'POST', path: `${DASHSCOPE_PATHS.textGeneration}?trace=1`, body: chat('recorded') });
    expect(first!.headers['x-dashscope-workspace']).toBe('ws-1');
    expect(first!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(second!.body).toBe('not json');
  });
});

describe('fake DashScope options', () => {
  it('gzips every body when asked, streaming included', async () => {
    const fake = await startFakeDashScope({ gzip: true });
    try {
      const response = await post(fake, DASHSCOPE_PATHS.textGeneration, chat('zip'), { stream: true });
      expect(response.headers.get('content-encoding')).toBe('gzip');
      expect(parseSse(await response.text()).length).toBeGreaterThan(2);
      const raw = await rawPost(
        `${fake.url}${DASHSCOPE_PATHS.textEmbedding}`,
        JSON.stringify({ model: 'text-embedding-v1', input: { texts: ['a'] } }),
        {
          authorization: `Bearer ${KEY}`,
        },
      );
      expect(raw.headers['content-encoding']).toBe('gzip');
      const json = JSON.parse(gunzipSync(Buffer.concat(raw.chunks)).toString('utf8')) as { output: { embeddings: unknown[] } };
      expect(json.output.embeddings).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });

  it('writes bodies in pieces of at most splitBytes, splitting UTF-8 characters', async () => {
    const fake = await startFakeDashScope({ splitBytes: 5 });
    try {
      const raw = await rawPost(
        `${fake.url}${DASHSCOPE_PATHS.textGeneration}`,
        JSON.stringify(chat('分割 😊', { incremental_output: true })),
        {
          authorization: `Bearer ${KEY}`,
          accept: 'text/event-stream',
        },
      );
      expect(raw.chunks.length).toBeGreaterThan(10);
      expect(raw.chunks.every((chunk) => chunk.length <= 5)).toBe(true);
      const strict = new TextDecoder('utf-8', { fatal: true });
      expect(
        raw.chunks.some((chunk) => {
          try {
            strict.decode(chunk);
            return false;
          } catch {
            return true;
          }
        }),
      ).toBe(true);
      const events = parseSse(Buffer.concat(raw.chunks).toString('utf8'));
      expect(events.map((event) => textOf(event.data)).join('')).toContain('😊');
    } finally {
      await fake.close();
    }
  });

  it('waits eventDelayMs between events', async () => {
    const fake = await startFakeDashScope({ eventDelayMs: 30 });
    try {
      fake.enqueue({ type: 'reply', text: 'abcdef' });
      const started = Date.now();
      const events = parseSse(await (await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x'), { stream: true })).text());
      expect(Date.now() - started).toBeGreaterThanOrEqual(30 * (events.length - 1) - 5);
    } finally {
      await fake.close();
    }
  });

  it('uses the reply, isValidKey and model options', async () => {
    const fake = await startFakeDashScope({
      reply: (request) => `echo ${JSON.stringify((request.body as Json).model)}`,
      isValidKey: (key) => key === 'only-this',
      models: ['my-model'],
    });
    try {
      expect((await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x', {}, 'my-model'))).status).toBe(401);
      const json = (await (
        await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x', {}, 'my-model'), { key: 'only-this' })
      ).json()) as Json;
      expect(textOf(json)).toBe('echo "my-model"');
      expect((await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x'), { key: 'only-this' })).status).toBe(400);
    } finally {
      await fake.close();
    }
  });

  it('answers 500 when the reply option throws, and keeps serving', async () => {
    const fake = await startFakeDashScope({
      reply: () => {
        throw new Error('reply exploded');
      },
    });
    try {
      const response = await post(fake, DASHSCOPE_PATHS.textGeneration, chat('x'));
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ code: 'InternalError' });
      expect((await post(fake, DASHSCOPE_PATHS.textEmbedding, { model: 'text-embedding-v1', input: { texts: ['a'] } })).status).toBe(200);
    } finally {
      await fake.close();
    }
  });

  it('rejects invalid options at start', async () => {
    await expect(startFakeDashScope({ splitBytes: -1 })).rejects.toThrow(RangeError);
  });
});
