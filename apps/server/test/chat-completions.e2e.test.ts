import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { assertOpenAIShape, parseOpenAISse } from '@gw/testkit';
import { chatBody, postChat, startStack, type Stack } from './start-stack.js';

interface Chunk {
  id: string;
  choices: Array<{ delta: { role?: string; content?: string }; finish_reason: string | null }>;
  usage?: unknown;
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => stack.fake.reset());

const lastUpstream = () => {
  const request = stack.fake.requests.at(-1);
  if (request === undefined) throw new Error('DashScope received no request');
  return request;
};

describe('POST /v1/chat/completions, non-stream', () => {
  it('translates the request to the native API and the answer to chat.completion', async () => {
    const response = await postChat(stack.url, {
      model: 'qwen-plus',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: '1+1' },
            { type: 'text', text: '=?' },
          ],
          name: 'li',
        },
        { role: 'assistant', content: '2' },
        { role: 'user', content: 'thanks' },
      ],
      temperature: 0.7,
      top_p: 0.8,
      max_tokens: 100,
      stop: ['END'],
      seed: 42,
      presence_penalty: 0.5,
      user: 'someone@example.com',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as {
      id: string;
      model: string;
      choices: Array<{ message: { content: string } }>;
      usage: Record<string, number>;
    };
    assertOpenAIShape('CreateChatCompletionResponse', body);
    expect(body.model).toBe('qwen-plus');
    expect(body.choices[0]?.message.content).toContain('thanks');

    const upstream = lastUpstream();
    expect(upstream.method).toBe('POST');
    expect(upstream.path).toBe('/api/v1/services/aigc/text-generation/generation');
    expect(upstream.body).toEqual({
      model: 'qwen-plus',
      input: {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: '1+1=?', name: 'li' },
          { role: 'assistant', content: '2' },
          { role: 'user', content: 'thanks' },
        ],
      },
      parameters: {
        result_format: 'message',
        temperature: 0.7,
        top_p: 0.8,
        max_tokens: 100,
        stop: ['END'],
        seed: 42,
        presence_penalty: 0.5,
      },
    });
    expect(upstream.headers.authorization).toBe('Bearer sk-test-key');
    expect(upstream.headers['x-dashscope-sse']).toBeUndefined();
    expect(upstream.headers['accept-encoding']).toBe('identity');
    expect(body.id).toMatch(/^chatcmpl-[0-9a-f-]{36}$/);
    expect(body.usage.total_tokens).toBe((body.usage.prompt_tokens ?? 0) + (body.usage.completion_tokens ?? 0));
  });

  it('injects nothing the client did not send', async () => {
    await postChat(stack.url, chatBody());
    expect(lastUpstream().body).toEqual({
      model: 'farui-plus',
      input: { messages: [{ role: 'user', content: '你好' }] },
      parameters: { result_format: 'message' },
    });
  });

  it('keeps client headers such as cookies and SDK telemetry away from DashScope', async () => {
    await postChat(stack.url, chatBody(), {
      headers: { cookie: 'session=secret', 'x-stainless-os': 'Linux', 'x-dashscope-workspace': 'ws-1' },
    });
    const { headers } = lastUpstream();
    expect(headers.cookie).toBeUndefined();
    expect(headers['x-stainless-os']).toBeUndefined();
    expect(headers['x-dashscope-workspace']).toBe('ws-1');
  });

  it('maps max_completion_tokens and reports finish_reason length', async () => {
    const response = await postChat(stack.url, chatBody({ max_completion_tokens: 3 }));
    const body = (await response.json()) as { choices: Array<{ finish_reason: string }>; usage: { completion_tokens: number } };
    expect((lastUpstream().body as { parameters: unknown }).parameters).toEqual({ result_format: 'message', max_tokens: 3 });
    expect(body.choices[0]?.finish_reason).toBe('length');
    expect(body.usage.completion_tokens).toBe(3);
  });

  it('decodes gzip-encoded DashScope replies', async () => {
    const gzipStack = await startStack({ fake: { gzip: true } });
    try {
      const json = await (await postChat(gzipStack.url, chatBody())).json();
      assertOpenAIShape('CreateChatCompletionResponse', json);
      const streamed = await (await postChat(gzipStack.url, chatBody({ stream: true }))).text();
      expect(parseOpenAISse(streamed).done).toBe(true);
    } finally {
      await gzipStack.close();
    }
  });
});

describe('POST /v1/chat/completions, stream', () => {
  it('streams role, content, finish and [DONE] with SSE headers', async () => {
    const response = await postChat(stack.url, chatBody({ stream: true }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const { events, done } = parseOpenAISse(await response.text());
    expect(done).toBe(true);
    const chunks = events as Chunk[];
    for (const chunk of chunks) assertOpenAIShape('CreateChatCompletionStreamResponse', chunk);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(chunks.slice(1).every((chunk) => chunk.choices[0]?.delta.role === undefined)).toBe(true);
    expect(chunks.filter((chunk) => chunk.choices[0]?.finish_reason !== null)).toHaveLength(1);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('您好！这是模拟的 DashScope 回答 😊 You said: 你好');

    const upstream = lastUpstream();
    expect(upstream.headers['x-dashscope-sse']).toBe('enable');
    expect(upstream.headers.accept).toBe('text/event-stream');
    expect((upstream.body as { parameters: unknown }).parameters).toEqual({ result_format: 'message', incremental_output: true });
  });

  it('adds one usage chunk with stream_options.include_usage', async () => {
    const response = await postChat(stack.url, chatBody({ stream: true, stream_options: { include_usage: true } }));
    const chunks = parseOpenAISse(await response.text()).events as Chunk[];
    const last = chunks.at(-1) as Chunk & { usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } };
    expect(last.choices).toEqual([]);
    expect(last.usage.total_tokens).toBe(last.usage.prompt_tokens + last.usage.completion_tokens);
    expect(last.usage.completion_tokens).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    for (const chunk of chunks) assertOpenAIShape('CreateChatCompletionStreamResponse', chunk);
  });

  it('gives identical output when DashScope writes one byte at a time', async () => {
    const reply = 'ÄÖÜ 中文字符 😊🎉 mixed';
    const whole = await startStack({ fake: { reply: () => reply } });
    const split = await startStack({ fake: { reply: () => reply, splitBytes: 1 } });
    try {
      const normalize = (text: string) => text.replace(/"id":"[^"]+"/g, '"id":"x"').replace(/"created":\d+/g, '"created":0');
      const body = chatBody({ stream: true, stream_options: { include_usage: true } });
      const [a, b] = await Promise.all([postChat(whole.url, body).then((r) => r.text()), postChat(split.url, body).then((r) => r.text())]);
      expect(normalize(b)).toBe(normalize(a));
      const content = (parseOpenAISse(b).events as Chunk[]).map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
      expect(content).toBe(reply);
    } finally {
      await Promise.all([whole.close(), split.close()]);
    }
  });

  it('turns a failure after the first event into an error event and closes', async () => {
    stack.fake.enqueue({ type: 'fail-after', events: 2, status: 500, code: 'InternalError', message: 'Internal server error!' });
    const response = await postChat(stack.url, chatBody({ stream: true }));
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain('[DONE]');
    const lastEvent = text.trim().split('\n\n').at(-1) ?? '';
    expect(JSON.parse(lastEvent.replace(/^data: /, ''))).toMatchObject({
      error: { message: 'Internal server error!', type: 'server_error', code: 'internal_error', param: null },
    });
  });

  it('reports a connection DashScope drops mid-stream as an error event', async () => {
    stack.fake.enqueue({ type: 'drop', afterEvents: 2 });
    const text = await (await postChat(stack.url, chatBody({ stream: true }))).text();
    expect(text).not.toContain('[DONE]');
    expect(text).toMatch(
      /data: \{"error":\{"message":"[^"]+","type":"server_error","param":null,"code":"upstream_(connection_lost|stream_truncated)"\}\}\n\n$/,
    );
  });
});

describe('DashScope errors', () => {
  const cases = [
    {
      code: 'InvalidApiKey',
      status: 401,
      message: 'Invalid API-key provided.',
      expected: { status: 401, type: 'authentication_error', code: 'invalid_api_key' },
    },
    {
      code: 'InvalidParameter',
      status: 400,
      message: 'Range of input length should be [1, 6000]',
      expected: { status: 400, type: 'invalid_request_error', code: 'invalid_parameter' },
    },
    {
      code: 'InvalidParameter',
      status: 400,
      message: 'Model not exist.',
      expected: { status: 404, type: 'invalid_request_error', code: 'model_not_found' },
    },
    { code: 'Model.AccessDenied', status: 403, message: 'Model access denied.', expected: { status: 403, type: 'permission_error' } },
    {
      code: 'Throttling.RateQuota',
      status: 429,
      message: 'Requests rate limit exceeded, please try again later.',
      expected: { status: 429, type: 'rate_limit_error' },
    },
    {
      code: 'Arrearage',
      status: 400,
      message: 'Access denied, please make sure your account is in good standing.',
      expected: { status: 429, type: 'insufficient_quota', code: 'insufficient_quota' },
    },
    {
      code: 'DataInspectionFailed',
      status: 400,
      message: 'Input data may contain inappropriate content.',
      expected: { status: 400, code: 'content_filter' },
    },
    {
      code: 'InternalError',
      status: 500,
      message: 'An internal error has occured, please try again later.',
      expected: { status: 500, type: 'server_error' },
    },
    {
      code: 'ModelUnavailable',
      status: 503,
      message: 'Model is unavailable, please try again later.',
      expected: { status: 503, type: 'server_error' },
    },
  ] as const;

  for (const as of ['json', 'sse-event', 'sse-body'] as const) {
    for (const stream of [false, true]) {
      if (as !== 'json' && !stream) continue;
      for (const { code, status, message, expected } of cases) {
        it(`${code} (${message}) answered as ${as}, stream=${stream} → ${expected.status}`, async () => {
          stack.fake.enqueue({ type: 'error', status, code, message, as });
          const response = await postChat(stack.url, chatBody({ stream }));
          expect(response.status).toBe(expected.status);
          expect(response.headers.get('content-type')).toMatch(/^application\/json/);
          const body = (await response.json()) as { error: Record<string, unknown>; request_id?: string };
          assertOpenAIShape('ErrorResponse', body);
          expect(body.error).toMatchObject({
            message,
            ...('type' in expected ? { type: expected.type } : {}),
            ...('code' in expected ? { code: expected.code } : {}),
          });
          expect(body.request_id).toMatch(/^[0-9a-f-]{36}$/);
        });
      }
    }
  }

  it('passes Retry-After on with a 429', async () => {
    stack.fake.enqueue({
      type: 'error',
      status: 429,
      code: 'Throttling',
      message: 'Requests throttling triggered.',
      headers: { 'retry-after': '7' },
    });
    const response = await postChat(stack.url, chatBody());
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
  });

  it('answers 502 when DashScope cannot be reached', async () => {
    const unreachable = await startStack({ config: { dashscopeBaseUrl: 'http://127.0.0.1:1' } });
    try {
      for (const stream of [false, true]) {
        const response = await postChat(unreachable.url, chatBody({ stream }));
        expect(response.status).toBe(502);
        const body = (await response.json()) as { error: { code: string } };
        assertOpenAIShape('ErrorResponse', body);
        expect(body.error.code).toBe('upstream_unreachable');
      }
    } finally {
      await unreachable.close();
    }
  });

  it('answers 504 when DashScope does not answer in time', async () => {
    const slow = await startStack({ config: { upstreamTimeoutMs: 200 } });
    try {
      slow.fake.enqueue({ type: 'hang' }, { type: 'hang' });
      for (const stream of [false, true]) {
        const response = await postChat(slow.url, chatBody({ stream }));
        expect(response.status).toBe(504);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_timeout');
      }
    } finally {
      await slow.close();
    }
  });

  it('answers 502 when DashScope breaks the connection in the middle of a JSON answer', async () => {
    stack.fake.enqueue({ type: 'drop', afterEvents: 1 });
    const response = await postChat(stack.url, chatBody());
    expect(response.status).toBe(502);
    const body = (await response.json()) as { error: { code: string } };
    assertOpenAIShape('ErrorResponse', body);
    expect(body.error.code).toBe('upstream_connection_lost');
  });

  it('ends a stream that goes silent for longer than the idle timeout with a timeout error event', async () => {
    const stalling = await startStack({ fake: { eventDelayMs: 400 }, config: { upstreamIdleTimeoutMs: 150 } });
    try {
      const response = await postChat(stalling.url, chatBody({ stream: true }));
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(text).not.toContain('[DONE]');
      expect(text).toMatch(/data: \{"error":\{"message":"[^"]+","type":"server_error","param":null,"code":"upstream_timeout"\}\}\n\n$/);
    } finally {
      await stalling.close();
    }
  });

  it('answers 502 for an unreadable DashScope body', async () => {
    stack.fake.enqueue({ type: 'raw', status: 200, headers: { 'content-type': 'application/json' }, body: '<html>oops</html>' });
    const response = await postChat(stack.url, chatBody());
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('bad_upstream_response');
  });

  it('works with a DASHSCOPE_BASE_URL that has a path prefix (a corporate egress proxy, say)', async () => {
    const { createServer, request } = await import('node:http');
    // Strips /egress/dashscope and forwards the rest to the fake, as such a proxy would.
    const egress = createServer((incoming, outgoing) => {
      const forwarded = request(`${stack.fake.url}${(incoming.url ?? '').replace(/^\/egress\/dashscope/, '')}`, {
        method: incoming.method,
        headers: incoming.headers,
      });
      forwarded.on('response', (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      });
      incoming.pipe(forwarded);
    });
    await new Promise<void>((resolve) => egress.listen(0, '127.0.0.1', resolve));
    const { port } = egress.address() as import('node:net').AddressInfo;
    const prefixed = await startStack({ config: { dashscopeBaseUrl: `http://127.0.0.1:${port}/egress/dashscope` } });
    try {
      const plain = await postChat(prefixed.url, chatBody());
      expect(plain.status).toBe(200);
      assertOpenAIShape('CreateChatCompletionResponse', await plain.json());
      const streamed = await postChat(prefixed.url, chatBody({ stream: true }));
      expect(parseOpenAISse(await streamed.text()).done).toBe(true);
      expect(lastUpstream().path).toBe('/api/v1/services/aigc/text-generation/generation');
    } finally {
      await prefixed.close();
      egress.closeAllConnections();
      await new Promise<void>((resolve) => egress.close(() => resolve()));
    }
  });
});

describe('request framing', () => {
  it('translates a request sent with Expect: 100-continue (curl does so for large bodies)', async () => {
    const { request } = await import('node:http');
    const body = JSON.stringify(chatBody({ messages: [{ role: 'user', content: 'x'.repeat(2048) }] }));
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = request(`${stack.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer sk-test-key',
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          expect: '100-continue',
        },
      });
      outgoing.on('continue', () => outgoing.end(body));
      outgoing.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      outgoing.on('error', reject);
    });
    expect(status).toBe(200);
    const upstream = lastUpstream();
    expect(upstream.headers.expect).toBeUndefined();
    expect(upstream.headers.authorization).toBe('Bearer sk-test-key');
    expect((upstream.body as { input: unknown }).input).toEqual({ messages: [{ role: 'user', content: 'x'.repeat(2048) }] });
  });
});
