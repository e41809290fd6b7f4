import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { assertOpenAIShape } from '@gw/testkit';
import { startStack, type Stack } from './start-stack.js';

/**
 * The official openai SDK's higher-level helpers (stream accumulation, the runTools loop, withResponse)
 * against the gateway's full chat surface: tools, vision, n, dropped parameters and thinking.
 */
let stack: Stack;
let client: OpenAI;
beforeAll(async () => {
  stack = await startStack();
  client = new OpenAI({ apiKey: 'sk-sdk-user', baseURL: `${stack.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => stack.fake.reset());

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_current_weather',
    description: 'Current weather in a city.',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string', description: 'The city, e.g. 杭州' } },
      required: ['location'],
    },
  },
} satisfies OpenAI.ChatCompletionTool;

/** A 1×1 transparent PNG. */
const PIXEL_PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

interface DashScopeBody {
  model: string;
  input: { messages: Array<Record<string, unknown>> };
  parameters: Record<string, unknown>;
}

function dashScopeRequest(index: number) {
  const request = stack.fake.requests[index];
  if (request === undefined) throw new Error(`no DashScope request #${index}`);
  return { ...request, body: request.body as DashScopeBody };
}

describe('the openai SDK: tools', () => {
  it('accumulates two parallel tool calls from a stream (stream().finalChatCompletion())', async () => {
    const runner = client.chat.completions.stream({
      model: 'qwen-plus',
      messages: [{ role: 'user', content: '杭州和上海的天气怎么样？' }],
      tools: [weatherTool],
      parallel_tool_calls: true,
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    runner.on('chunk', (chunk) => void chunks.push(chunk));
    const completion = await runner.finalChatCompletion();
    for (const chunk of chunks) assertOpenAIShape('CreateChatCompletionStreamResponse', chunk);
    // The calls arrived in pieces: each call's first delta names it, and both indexes appear.
    const deltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(new Set(deltas.map((delta) => delta.index))).toEqual(new Set([0, 1]));
    expect(deltas.filter((delta) => delta.function?.name !== undefined)).toHaveLength(2);
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const calls = choice?.message.tool_calls ?? [];
    expect(calls).toHaveLength(2);
    const ids = calls.map((call) => call.id);
    for (const id of ids) expect(id).toMatch(/^\S+$/);
    expect(new Set(ids).size).toBe(2);
    const functionCalls = calls.map((call) => {
      if (call.type !== 'function') throw new Error(`unexpected tool call type ${call.type}`);
      return call.function;
    });
    expect(functionCalls.map((fn) => fn.name)).toEqual(['get_current_weather', 'get_current_weather']);
    const args = functionCalls.map((fn) => JSON.parse(fn.arguments) as { location: string });
    for (const arg of args) expect(typeof arg.location).toBe('string');
    // The same function asked about two different things.
    expect(args[0]?.location).not.toBe(args[1]?.location);

    const upstream = dashScopeRequest(0);
    expect(upstream.path).toContain('/text-generation/generation');
    expect(upstream.headers.accept).toBe('text/event-stream');
    expect(upstream.body.parameters.parallel_tool_calls).toBe(true);
    expect(upstream.body.parameters.tools).toEqual([weatherTool]);
  });

  it('accumulates scripted calls of two different tools after some text, arguments nested', async () => {
    const timeTool = {
      type: 'function',
      function: { name: 'get_current_time', parameters: { type: 'object', properties: { zone: { type: 'object' } } } },
    } satisfies OpenAI.ChatCompletionTool;
    const timeArguments = JSON.stringify({ zone: { name: 'Asia/Shanghai', offset: '+08:00' }, note: '引号 " 和 \\ 反斜杠 😊' });
    stack.fake.enqueue({
      type: 'reply',
      text: '让我查一下。',
      toolCalls: [
        { name: 'get_current_weather', arguments: '{"location": "杭州"}' },
        { name: 'get_current_time', arguments: timeArguments },
      ],
    });
    const completion = await client.chat.completions
      .stream({ model: 'qwen-plus', messages: [{ role: 'user', content: '杭州现在几点，天气如何？' }], tools: [weatherTool, timeTool] })
      .finalChatCompletion();
    const message = completion.choices[0]?.message;
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(message?.content).toBe('让我查一下。');
    const calls = (message?.tool_calls ?? []).map((call) => (call.type === 'function' ? call.function : undefined));
    expect(calls).toEqual([
      { name: 'get_current_weather', arguments: '{"location": "杭州"}' },
      { name: 'get_current_time', arguments: timeArguments },
    ]);
    expect(new Set(message?.tool_calls?.map((call) => call.id)).size).toBe(2);
  });

  it('runs a runTools() loop to its end: the function is called and its result goes back to DashScope', async () => {
    const received: Array<{ location: string }> = [];
    const runner = client.chat.completions.runTools({
      model: 'qwen-plus',
      messages: [{ role: 'user', content: '北京天气' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_current_weather',
            description: 'Current weather in a city.',
            parameters: weatherTool.function.parameters,
            parse: (input: string) => JSON.parse(input) as { location: string },
            function: async (args: { location: string }) => {
              received.push(args);
              return { location: args.location, temperature: '23°C', condition: 'sunny' };
            },
          },
        },
      ],
    });
    const content = await runner.finalContent();
    expect(content).toBeTruthy();
    // The fake echoes the tool results it was given: the function's result reached the model.
    expect(content).toContain('Tool results:');
    expect(content).toContain('23°C');
    expect(received).toEqual([{ location: '北京天气' }]);

    expect(stack.fake.requests).toHaveLength(2);
    const completions = runner.allChatCompletions();
    expect(completions).toHaveLength(2);
    expect(completions[0]?.choices[0]?.finish_reason).toBe('tool_calls');
    const callId = completions[0]?.choices[0]?.message.tool_calls?.[0]?.id;
    expect(callId).toBeTruthy();
    const secondMessages = dashScopeRequest(1).body.input.messages;
    expect(secondMessages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
    expect(secondMessages[1]).toMatchObject({
      role: 'assistant',
      tool_calls: [{ id: callId, type: 'function', function: { name: 'get_current_weather', arguments: expect.any(String) } }],
    });
    const sentArguments = (secondMessages[1]?.tool_calls as Array<{ function: { arguments: string } }>)[0]?.function.arguments ?? '';
    expect(JSON.parse(sentArguments)).toEqual({ location: '北京天气' });
    expect(secondMessages[2]).toMatchObject({ role: 'tool', tool_call_id: callId });
    expect(JSON.parse(secondMessages[2]?.content as string)).toEqual({ location: '北京天气', temperature: '23°C', condition: 'sunny' });
  });

  it('answers a non-stream tool call with content null and finish_reason tool_calls', async () => {
    const completion = await client.chat.completions.create({
      model: 'qwen-plus',
      messages: [{ role: 'user', content: '杭州天气' }],
      tools: [weatherTool],
    });
    assertOpenAIShape('CreateChatCompletionResponse', completion);
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    expect(choice?.message.tool_calls).toHaveLength(1);
    const call = choice?.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function tool call');
    expect(call.id).toBeTruthy();
    expect(call.function.name).toBe('get_current_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ location: '杭州天气' });
    const upstream = dashScopeRequest(0);
    expect(upstream.headers.accept).toBe('application/json');
    expect(upstream.body.parameters.tools).toEqual([weatherTool]);
  });
});

describe('the openai SDK: vision', () => {
  it.each([
    ['an http image URL', 'qwen3-vl-plus', 'https://example.com/images/cat.png'],
    ['a data: image URL', 'qwen3.6-plus', PIXEL_PNG],
  ])('sends %s to the multimodal endpoint as [{image}, {text}]', async (_label, model, url) => {
    const completion = await client.chat.completions.create({
      model,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url } },
            { type: 'text', text: '图里是什么？' },
          ],
        },
      ],
    });
    assertOpenAIShape('CreateChatCompletionResponse', completion);
    const content = completion.choices[0]?.message.content;
    expect(typeof content).toBe('string');
    expect(content).toContain('图里是什么？');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);

    const upstream = dashScopeRequest(0);
    expect(upstream.path).toContain('/multimodal-generation/generation');
    expect(upstream.body.model).toBe(model);
    expect(upstream.body.input.messages).toEqual([{ role: 'user', content: [{ image: url }, { text: '图里是什么？' }] }]);
  });
});

describe('the openai SDK: n, dropped parameters, thinking', () => {
  it('streams n: 2 with each chunk naming its choice index', async () => {
    const stream = await client.chat.completions.create({
      model: 'qwen-plus',
      messages: [{ role: 'user', content: '讲个笑话' }],
      n: 2,
      stream: true,
    });
    const texts = new Map<number, string>();
    const finishes = new Map<number, string>();
    for await (const chunk of stream) {
      assertOpenAIShape('CreateChatCompletionStreamResponse', chunk);
      for (const choice of chunk.choices) {
        expect([0, 1]).toContain(choice.index);
        texts.set(choice.index, (texts.get(choice.index) ?? '') + (choice.delta.content ?? ''));
        if (choice.finish_reason !== null) finishes.set(choice.index, choice.finish_reason);
      }
    }
    expect([...texts.keys()].sort()).toEqual([0, 1]);
    const [first, second] = [texts.get(0), texts.get(1)];
    expect(first).toContain('讲个笑话');
    expect(second).toContain('讲个笑话');
    expect(first).not.toBe(second);
    expect(finishes.get(0)).toBe('stop');
    expect(finishes.get(1)).toBe('stop');
    expect(dashScopeRequest(0).body.parameters.n).toBe(2);
  });

  it('drops frequency_penalty with an x-gateway-warnings header, sending DashScope no penalty', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'qwen-plus', messages: [{ role: 'user', content: 'hi' }], frequency_penalty: 0.5 })
      .withResponse();
    assertOpenAIShape('CreateChatCompletionResponse', data);
    expect(data.choices[0]?.message.content).toContain('hi');
    expect(response.headers.get('x-gateway-warnings')).toContain('frequency_penalty');
    const parameters = dashScopeRequest(0).body.parameters;
    expect(parameters).not.toHaveProperty('frequency_penalty');
    expect(parameters).not.toHaveProperty('repetition_penalty');
    expect(JSON.stringify(dashScopeRequest(0).body)).not.toContain('penalty');
  });

  it('collects a thinking answer for a non-stream enable_thinking call (reasoning_content on the message)', async () => {
    const completion = await client.chat.completions.create({
      model: 'qwen-plus',
      messages: [{ role: 'user', content: '9.11 和 9.9 哪个大？' }],
      // @ts-expect-error DashScope's own switch, sent as an extra body field
      enable_thinking: true,
    });
    assertOpenAIShape('CreateChatCompletionResponse', completion);
    expect(completion.object).toBe('chat.completion');
    const message = completion.choices[0]?.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
    expect(typeof message.reasoning_content).toBe('string');
    expect(message.reasoning_content?.length).toBeGreaterThan(0);
    expect(message.content).toContain('9.11 和 9.9 哪个大？');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);

    const upstream = dashScopeRequest(0);
    expect(upstream.headers.accept).toBe('text/event-stream');
    expect(upstream.headers['x-dashscope-sse']).toBe('enable');
    expect(upstream.body.parameters.enable_thinking).toBe(true);
    expect(upstream.body.parameters.incremental_output).toBe(true);
  });
});
