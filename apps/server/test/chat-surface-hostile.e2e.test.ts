import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { StreamScript } from '@gw/fake-dashscope';
import { chatBody, postChat, startStack, waitFor, type Stack } from './start-stack.js';

/**
 * The chat surface against a hostile DashScope: answers whose tool calls, logprobs or collected size
 * would outgrow the gateway's memory. Each must fail only its own request, with an OpenAI-shaped error,
 * and leave no upstream response open.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    config: {
      bodyLimitBytes: 1024 * 1024,
      bufferMemoryLimitBytes: 8 * 1024 * 1024,
      bufferMemoryPerIpBytes: 8 * 1024 * 1024,
      upstreamMaxStreamBytes: 24 * 1024 * 1024,
    },
  });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => stack.fake.reset());

const frame = (choice: Record<string, unknown>, finish = 'null') =>
  `id:1\nevent:result\n:HTTP_STATUS/200\ndata:${JSON.stringify({ output: { choices: [{ index: 0, finish_reason: finish, ...choice }] }, request_id: 'r-1' })}\n\n`;

/** Events of `perEvent` new tool calls each (a fresh index per fragment), until the connection closes. */
function toolCallFlood(perEvent: number): StreamScript {
  return {
    type: 'stream',
    chunks: function* () {
      for (let next = 0; ;) {
        const tool_calls = Array.from({ length: perEvent }, () => ({ index: next++, id: '', function: { name: 'a', arguments: '' } }));
        yield frame({ message: { content: '', tool_calls } });
      }
    },
  };
}

/** One call whose name never comes, with argument text that never stops. */
function namelessArguments(): StreamScript {
  return {
    type: 'stream',
    chunks: function* () {
      for (;;)
        yield frame({ message: { content: '', tool_calls: [{ index: 0, id: '', function: { arguments: 'z'.repeat(64 * 1024) } }] } });
    },
  };
}

describe('tool calls that would outgrow the gateway', () => {
  it.each<[string, { model: string; stream?: boolean }]>([
    ['a stream', { model: 'qwen-plus', stream: true }],
    ['a collected answer', { model: 'qwq-plus' }],
  ])('counts every held tool call against the memory budget, in %s', async (_name, extra) => {
    stack.fake.enqueue(toolCallFlood(5_000));
    const response = await postChat(stack.url, chatBody(extra));
    const text = await response.text();
    if (extra.stream === true) expect(text).toMatch(/"code":"(server_busy|bad_upstream_response)"/);
    else {
      expect([502, 503]).toContain(response.status);
      expect(JSON.parse(text)).toMatchObject({ error: { type: 'server_error' } });
    }
    await waitFor(() => stack.fake.openResponses === 0);
  });

  it('counts argument text held for a call whose name never comes', async () => {
    stack.fake.enqueue(namelessArguments());
    const response = await postChat(stack.url, chatBody({ model: 'qwq-plus' }));
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'server_busy' } });
    await waitFor(() => stack.fake.openResponses === 0);
  });

  it('fails an answer whose tool call never got a name, instead of dropping the call', async () => {
    stack.fake.enqueue({
      type: 'raw',
      status: 200,
      headers: { 'content-type': 'text/event-stream;charset=UTF-8' },
      body:
        frame({ message: { content: '', tool_calls: [{ index: 0, id: 'call_x', function: { arguments: '{"a":' } }] } }) +
        frame({ message: { content: '', tool_calls: [{ index: 0, id: '', function: { arguments: '1}' } }] } }, 'tool_calls'),
    });
    const response = await postChat(stack.url, chatBody({ model: 'qwen-plus', enable_thinking: true }));
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({
      error: { code: 'bad_upstream_response', message: expect.stringContaining('without a function name') },
    });
  });
});

describe('requests the catalogue can judge', () => {
  it('refuses to tell an always-thinking model not to think, naming the field', async () => {
    for (const [extra, param] of [
      [{ enable_thinking: false }, 'enable_thinking'],
      [{ reasoning_effort: 'none' }, 'reasoning_effort'],
    ] as const) {
      const response = await postChat(stack.url, chatBody({ model: 'qwq-plus', ...extra }));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { param, code: 'unsupported_parameter' } });
    }
    expect(stack.fake.requests).toHaveLength(0);
  });

  it('refuses a named tool_choice without tools', async () => {
    const response = await postChat(stack.url, chatBody({ tool_choice: { type: 'function', function: { name: 'f' } } }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { param: 'tool_choice' } });
  });

  it('passes a "__proto__" property of a tool’s schema on as the client wrote it', async () => {
    const body = `{"model":"qwen-plus","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"__proto__":{"type":"string"}}}}}],"search_options":{"__proto__":{"forced_search":true}}}`;
    const response = await postChat(stack.url, body);
    expect(response.status).toBe(200);
    await response.text();
    const sent = JSON.stringify(stack.fake.requests[0]?.body);
    expect(sent).toContain('"properties":{"__proto__":{"type":"string"}}');
    expect(sent).toContain('"search_options":{"__proto__":{"forced_search":true}}');
  });
});
