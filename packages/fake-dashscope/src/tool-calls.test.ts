import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  chat,
  choicesOf,
  finishOf,
  messageOf,
  outcomeOf,
  parseSse,
  post,
  postJson,
  postStream,
  textOf,
  type Json,
} from './__fixtures__/fake-client.js';
import { DASHSCOPE_PATHS, startFakeDashScope, type FakeDashScope } from './index.js';

const WEATHER = {
  type: 'function',
  function: {
    name: 'get_current_weather',
    description: '获取现在的天气',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string', description: '要获取天气的省市名称，例如浙江省杭州市' } },
      required: ['location'],
    },
  },
};
const TIME = {
  type: 'function',
  function: {
    name: 'get_time',
    parameters: {
      type: 'object',
      properties: { zone: { type: 'string', enum: ['Asia/Shanghai', 'UTC'] }, precise: { type: 'boolean' }, offset: { type: 'integer' } },
    },
  },
};

// Halves of a chat model's text and multimodal answers, as the fake tokenizes: about 2 code points per token.
const tokens = (text: string): number => Math.ceil(Array.from(text).length / 2);

interface ToolCall {
  index: number;
  id: string;
  type: string;
  function: { name?: string; arguments: string };
}

function toolCallsOf(data: Json): ToolCall[] {
  return (messageOf(data).tool_calls as ToolCall[] | undefined) ?? [];
}

describe('fake DashScope tool calls', () => {
  let fake: FakeDashScope;
  beforeAll(async () => {
    fake = await startFakeDashScope();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  describe('answers', () => {
    it('makes a forced call in the shape of single-generation-message-with-tools-nosse, finish "stop" as recorded', async () => {
      const body = chat(
        '杭州现在的天气如何？',
        { result_format: 'message', tools: [WEATHER], tool_choice: { type: 'function', function: { name: 'get_current_weather' } } },
        'qwen-max',
      );
      const response = await post(fake, DASHSCOPE_PATHS.textGeneration, body);
      const requestId = response.headers.get('x-request-id')!;
      const text = await response.text();
      const id = /"id":"(call_[0-9a-f]{22})"/.exec(text)?.[1];
      expect(id).toBeDefined();
      const arguments_ = '{"location": "杭州现在的天气如何？"}';
      const input = tokens('杭州现在的天气如何？') + tokens(JSON.stringify([WEATHER]));
      // Each argument piece of the stream costs its own tokens; the name rides on the first one.
      const output = tokens('get_current_weather{"location": "杭州现') + tokens('在的天气如何？"}');
      expect(text).toBe(
        `{"output":{"choices":[{"finish_reason":"stop","message":{"role":"assistant","tool_calls":[{"function":{"name":"get_current_weather","arguments":${JSON.stringify(arguments_)}},"index":0,"id":"${id}","type":"function"}],"content":""}}]},` +
          `"usage":{"total_tokens":${input + output},"output_tokens":${output},"input_tokens":${input},"prompt_tokens_details":{"cached_tokens":0}},"request_id":"${requestId}"}`,
      );
    });

    it('answers calls on the multimodal endpoint with content [] and 24-digit ids', async () => {
      const body = {
        model: 'qwen3.6-plus',
        input: { messages: [{ role: 'user', content: [{ image: 'https://example.com/dog.jpeg' }, { text: '杭州天气' }] }] },
        parameters: { enable_thinking: false, tools: [WEATHER] },
      };
      const { status, json } = await postJson(fake, DASHSCOPE_PATHS.multimodalGeneration, body);
      expect(status).toBe(200);
      const message = messageOf(json);
      expect(Object.keys(message)).toEqual(['role', 'tool_calls', 'content']);
      expect(message.content).toEqual([]);
      expect(toolCallsOf(json)).toEqual([
        {
          function: { name: 'get_current_weather', arguments: '{"location": "杭州天气"}' },
          index: 0,
          id: expect.stringMatching(/^call_[0-9a-f]{24}$/),
          type: 'function',
        },
      ]);
    });

    it('calls the first tool once, or with parallel_tool_calls every tool (the only one twice, asking something else)', async () => {
      const first = await postJson(
        fake,
        DASHSCOPE_PATHS.textGeneration,
        chat('now?', { result_format: 'message', tools: [TIME, WEATHER] }),
      );
      expect(toolCallsOf(first.json).map((call) => [call.function.name, call.function.arguments])).toEqual([
        ['get_time', '{"zone": "Asia/Shanghai", "precise": true, "offset": 1}'],
      ]);
      const every = await postJson(
        fake,
        DASHSCOPE_PATHS.textGeneration,
        chat('now?', { result_format: 'message', tools: [TIME, WEATHER], parallel_tool_calls: true }),
      );
      expect(toolCallsOf(every.json).map((call) => [call.index, call.function.name])).toEqual([
        [0, 'get_time'],
        [1, 'get_current_weather'],
      ]);
      const twice = await postJson(
        fake,
        DASHSCOPE_PATHS.textGeneration,
        chat('杭州和上海', { tools: [WEATHER], parallel_tool_calls: true }),
      );
      const calls = toolCallsOf(twice.json);
      expect(calls.map((call) => call.function.arguments)).toEqual(['{"location": "杭州和上海"}', '{"location": "杭州和上海 (2)"}']);
      expect(new Set(calls.map((call) => call.id)).size).toBe(2);
    });

    it('does not call tools when tool_choice is "none" or the last message is a tool result', async () => {
      const none = await postJson(fake, DASHSCOPE_PATHS.textGeneration, chat('天气', { tools: [WEATHER], tool_choice: 'none' }));
      expect(toolCallsOf(none.json)).toEqual([]);
      expect(textOf(none.json)).toBe('您好！这是模拟的 DashScope 回答 😊 You said: 天气');
    });

    it('answers the recorded tool-result turn (single-generation-message-with-tools-sse) with text mentioning the results', async () => {
      const assistant = {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            function: { name: 'get_current_weather', arguments: '{"location": "浙江省杭州市"}' },
            index: 0,
            id: 'call_cec4c19d27624537b583af',
            type: 'function',
          },
          {
            function: { name: 'get_current_weather', arguments: '{"location": "上海市"}' },
            index: 1,
            id: 'call_dxjdop3d27624537b583af',
            type: 'function',
          },
        ],
      };
      const body = {
        model: 'qwen-plus',
        input: {
          messages: [
            { role: 'user', content: '杭州上海现在的天气如何？' },
            assistant,
            { role: 'tool', content: '浙江省杭州市 大部多云，摄氏 18 度', tool_call_id: 'call_cec4c19d27624537b583af' },
            { role: 'tool', content: '上海市 多云转小雨，摄氏 19 度', tool_call_id: 'call_dxjdop3d27624537b583af' },
          ],
        },
        parameters: { result_format: 'message', seed: 6999, incremental_output: true, tools: [WEATHER], parallel_tool_calls: true },
      };
      const events = await postStream(fake, DASHSCOPE_PATHS.textGeneration, body);
      expect(events.every((event) => toolCallsOf(event.data).length === 0)).toBe(true);
      expect(events.map((event) => textOf(event.data)).join('')).toBe(
        '您好！这是模拟的 DashScope 回答 😊 Tool results: 浙江省杭州市 大部多云，摄氏 18 度; 上海市 多云转小雨，摄氏 19 度',
      );
      expect(finishOf(events.at(-1)!.data)).toBe('stop');
    });

    it('accepts tool results as {text} lists on the multimodal endpoint (multimodal-generation-message-with-tools-sse)', async () => {
      const body = {
        model: 'qwen3.6-plus',
        input: {
          messages: [
            { role: 'user', content: [{ image: 'https://example.com/dog.jpeg' }, { text: '编一个小故事' }] },
            {
              content: [],
              role: 'assistant',
              tool_calls: [
                {
                  function: { arguments: '{"location": "浙江省杭州市"}', name: 'get_current_weather' },
                  id: 'call_a',
                  index: 0,
                  type: 'function',
                },
              ],
              reasoning_content: '先查天气。',
            },
            { role: 'tool', content: [{ text: '杭州-大部多云' }], tool_call_id: 'call_a' },
          ],
        },
        parameters: { incremental_output: true, enable_thinking: true, tools: [WEATHER], parallel_tool_calls: true },
      };
      const events = await postStream(fake, DASHSCOPE_PATHS.multimodalGeneration, body);
      expect(events.map((event) => textOf(event.data)).join('')).toContain('Tool results: 杭州-大部多云');
      expect(finishOf(events.at(-1)!.data)).toBe('stop');
    });

    it('makes exactly the scripted calls, after scripted content, with the scripted finish reason', async () => {
      fake.enqueue({
        type: 'reply',
        text: '我来查一下。',
        toolCalls: [{ name: 'lookup', arguments: '{"q": "x"}' }],
        finishReason: 'tool_calls',
      });
      const { json } = await postJson(fake, DASHSCOPE_PATHS.textGeneration, chat('anything', { result_format: 'message' }));
      expect(choicesOf(json)[0]!.finish_reason).toBe('tool_calls');
      expect(messageOf(json).content).toBe('我来查一下。');
      expect(toolCallsOf(json).map((call) => call.function)).toEqual([{ name: 'lookup', arguments: '{"q": "x"}' }]);

      fake.enqueue({ type: 'reply', text: '', toolCalls: [{ name: 'lookup', arguments: '{}' }] });
      const events = await postStream(fake, DASHSCOPE_PATHS.textGeneration, chat('x', { incremental_output: true }));
      expect(
        events
          .map((event) =>
            toolCallsOf(event.data)
              .map((call) => call.function.arguments)
              .join(''),
          )
          .join(''),
      ).toBe('{}');
      expect(finishOf(events.at(-1)!.data)).toBe('tool_calls');
    });

    it('fixes n to 1 when tools are present', async () => {
      const { json } = await postJson(
        fake,
        DASHSCOPE_PATHS.textGeneration,
        chat('x', { result_format: 'message', tools: [WEATHER], tool_choice: 'none', n: 3 }),
      );
      expect(choicesOf(json)).toHaveLength(1);
    });
  });

  describe('streams', () => {
    it('streams two calls byte for byte as recorded (single-generation-message-with-parallel-tools-sse)', async () => {
      const user = '杭州和上海现在的天气如何？';
      const body = chat(
        user,
        { result_format: 'message', incremental_output: true, tools: [WEATHER], parallel_tool_calls: true },
        'qwen-max',
      );
      const response = await post(fake, DASHSCOPE_PATHS.textGeneration, body, { stream: true });
      const requestId = response.headers.get('x-request-id')!;
      const text = await response.text();
      const [first, second] = [...text.matchAll(/"id":"(call_[0-9a-f]{22})"/g)].map((match) => match[1]!);
      expect(first).toBeDefined();
      expect(second).toBeDefined();

      const name = 'get_current_weather';
      // Each call's arguments in three pieces; the first call's last piece and the second call's first share event 3.
      const pieces = [
        ['{"location', `": "杭州和上海现`, '在的天气如何？"}'],
        ['{"location"', ': "杭州和上海现在的', '天气如何？ (2)"}'],
      ] as const;
      const head = (index: number, id: string, piece: string) => ({ index, id, type: 'function', function: { name, arguments: piece } });
      const tail = (index: number, piece: string) => ({ index, id: '', type: 'function', function: { arguments: piece } });
      const events: Array<{ calls: unknown[]; output: number }> = [
        { calls: [head(0, first!, pieces[0][0])], output: tokens(name + pieces[0][0]) },
        { calls: [tail(0, pieces[0][1])], output: tokens(pieces[0][1]) },
        { calls: [tail(0, pieces[0][2]), head(1, second!, pieces[1][0])], output: tokens(pieces[0][2]) + tokens(name + pieces[1][0]) },
        { calls: [tail(1, pieces[1][1])], output: tokens(pieces[1][1]) },
        { calls: [tail(1, pieces[1][2])], output: tokens(pieces[1][2]) },
      ];
      const input = tokens(user) + tokens(JSON.stringify([WEATHER]));
      let output = 0;
      const expected = events
        .map((event, index) => {
          output += event.output;
          const finish = index === events.length - 1 ? 'tool_calls' : 'null';
          const data =
            `{"output":{"choices":[{"message":{"content":"","tool_calls":${JSON.stringify(event.calls)},"role":"assistant"},"index":0,"finish_reason":"${finish}"}]},` +
            `"usage":{"total_tokens":${input + output},"output_tokens":${output},"input_tokens":${input},"prompt_tokens_details":{"cached_tokens":0}},"request_id":"${requestId}"}`;
          return `id:${index + 1}\nevent:result\n:HTTP_STATUS/200\ndata:${data}\n\n`;
        })
        .join('');
      expect(text).toBe(expected);

      // The non-stream answer makes the same calls.
      const whole = await postJson(fake, DASHSCOPE_PATHS.textGeneration, {
        ...body,
        parameters: { ...(body.parameters as Json), incremental_output: false },
      });
      expect(toolCallsOf(whole.json).map((call) => call.function.arguments)).toEqual(pieces.map((call) => call.join('')));
    });

    it('reasons first, then streams calls with content [] on the multimodal endpoint', async () => {
      const body = {
        model: 'qwen3.6-plus',
        input: { messages: [{ role: 'user', content: [{ image: 'https://example.com/dog.jpeg' }, { text: '杭州和上海' }] }] },
        parameters: { incremental_output: true, enable_thinking: true, tools: [WEATHER], parallel_tool_calls: true },
      };
      const events = await postStream(fake, DASHSCOPE_PATHS.multimodalGeneration, body);
      const kinds = events.map((event) => (toolCallsOf(event.data).length > 0 ? 'call' : 'reasoning'));
      expect(kinds.indexOf('call')).toBeGreaterThan(0);
      expect(kinds.slice(kinds.indexOf('call')).every((kind) => kind === 'call')).toBe(true);
      expect(events[0]!.raw).toMatch(
        /^\{"output":\{"choices":\[\{"message":\{"content":\[\],"reasoning_content":"嗯，","role":"assistant"\},"finish_reason":"null"\}\]\}/,
      );
      const callEvent = events.find((event) => toolCallsOf(event.data).length > 0)!;
      expect(callEvent.raw).toMatch(
        /^\{"output":\{"choices":\[\{"message":\{"content":\[\],"tool_calls":\[\{"index":0,"id":"call_[0-9a-f]{24}","type":"function","function":\{"name":"get_current_weather","arguments":/,
      );
      expect(events.some((event) => toolCallsOf(event.data).length === 2)).toBe(true);
      expect(finishOf(events.at(-1)!.data)).toBe('tool_calls');
      expect(finishOf(events.at(-2)!.data)).toBe('null');
    });

    it('repeats every call so far on each event of a cumulative stream', async () => {
      const events = parseSse(
        await (
          await post(
            fake,
            DASHSCOPE_PATHS.textGeneration,
            chat('杭州和上海现在的天气如何？', { result_format: 'message', tools: [WEATHER], parallel_tool_calls: true }),
            {
              stream: true,
            },
          )
        ).text(),
      );
      const last = toolCallsOf(events.at(-1)!.data);
      expect(last.map((call) => [call.index, call.function.name, call.function.arguments])).toEqual([
        [0, 'get_current_weather', '{"location": "杭州和上海现在的天气如何？"}'],
        [1, 'get_current_weather', '{"location": "杭州和上海现在的天气如何？ (2)"}'],
      ]);
      for (let index = 1; index < events.length; index += 1) {
        const before = toolCallsOf(events[index - 1]!.data);
        const now = toolCallsOf(events[index]!.data);
        for (const call of before) expect(now[call.index]!.function.arguments.startsWith(call.function.arguments)).toBe(true);
      }
      expect(finishOf(events.at(-1)!.data)).toBe('tool_calls');
    });
  });

  describe('refusals', () => {
    const refusal = async (body: unknown, path: string = DASHSCOPE_PATHS.textGeneration) => outcomeOf(await post(fake, path, body));

    it('refuses tool_choice "required" and anything but "auto", "none" or a defined function', async () => {
      for (const toolChoice of ['required', 'any', { type: 'function' }, { type: 'tool', function: { name: 'get_current_weather' } }]) {
        expect(await refusal(chat('x', { tools: [WEATHER], tool_choice: toolChoice }))).toEqual({
          status: 400,
          code: 'InvalidParameter',
          message: 'tool_choice is one of the strings that should be ["none", "auto"]',
        });
      }
      expect(await refusal(chat('x', { tools: [WEATHER], tool_choice: { type: 'function', function: { name: 'nope' } } }))).toEqual({
        status: 400,
        code: 'InvalidParameter',
        message: 'tool_choice names the function "nope", which is not in "tools".',
      });
    });

    it('refuses malformed tools, parallel_tool_calls and tools on a model without function calling', async () => {
      const shape =
        'Parameter "tools" must be a list of objects like {"type": "function", "function": {"name": ..., "description": ..., "parameters": {...}}}.';
      for (const tools of [
        WEATHER,
        [{ type: 'code_interpreter' }],
        [{ type: 'function', function: { name: '' } }],
        [{ type: 'function', function: { name: 'f', parameters: 'x' } }],
      ]) {
        expect(await refusal(chat('x', { tools }))).toEqual({ status: 400, code: 'InvalidParameter', message: shape });
      }
      expect(await refusal(chat('x', { tools: [WEATHER], parallel_tool_calls: 'yes' }))).toEqual({
        status: 400,
        code: 'InvalidParameter',
        message: 'Parameter "parallel_tool_calls" must be a boolean.',
      });
      expect(await refusal(chat('x', { tools: [WEATHER] }, 'qwen-long'))).toEqual({
        status: 400,
        code: 'InvalidParameter',
        message: 'The model qwen-long does not support tools.',
      });
    });

    it('refuses tool turns DashScope refuses (protocol §3.1)', async () => {
      const call = { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } };
      const user = { role: 'user', content: 'q' };
      const assistant = { role: 'assistant', content: '', tool_calls: [call] };
      const cases: Array<[unknown[], string]> = [
        [
          [user, { role: 'tool', content: 'r', tool_call_id: 'call_1' }],
          'A "tool" message must follow an "assistant" message with "tool_calls".',
        ],
        [[user, assistant, { role: 'tool', content: 'r' }], 'A "tool" message must have a "tool_call_id".'],
        [
          [user, assistant, { role: 'tool', content: 'r', tool_call_id: 'call_2' }],
          'The tool_call_id "call_2" does not match any tool call of the preceding assistant message.',
        ],
        [[user, assistant, user], 'The tool call "call_1" must be answered by a "tool" message before the next user message.'],
        [
          [
            user,
            { ...assistant, tool_calls: [call, { ...call, id: 'call_2' }] },
            { role: 'tool', content: 'r', tool_call_id: 'call_1' },
            { role: 'assistant', content: 'a' },
          ],
          'The tool call "call_2" must be answered by a "tool" message before the next assistant message.',
        ],
        [
          [user, { ...assistant, tool_calls: [{ ...call, function: { name: 'f', arguments: {} } }] }],
          'Each entry of "tool_calls" must have an "id", "type": "function" and a "function" with a "name" and string "arguments".',
        ],
        [
          [user, { ...assistant, tool_calls: [{ ...call, id: '' }] }],
          'Each entry of "tool_calls" must have an "id", "type": "function" and a "function" with a "name" and string "arguments".',
        ],
        [[user, { role: 'assistant', content: 'a', reasoning_content: 1 }], 'Parameter "reasoning_content" must be a string.'],
      ];
      for (const [messages, message] of cases) {
        expect(await refusal({ model: 'qwen-plus', input: { messages } })).toEqual({ status: 400, code: 'InvalidParameter', message });
      }
      const multimodal = {
        model: 'qwen3.6-plus',
        input: {
          messages: [
            { role: 'user', content: [{ text: 'q' }] },
            { role: 'assistant', content: [], tool_calls: [call] },
            { role: 'tool', content: [{ image: 'https://example.com/a.png' }], tool_call_id: 'call_1' },
          ],
        },
        parameters: { enable_thinking: false },
      };
      expect(await refusal(multimodal, DASHSCOPE_PATHS.multimodalGeneration)).toEqual({
        status: 400,
        code: 'InvalidParameter',
        message: 'The content of a "tool" message must be a list of {"text": ...} items.',
      });
    });
  });
});
