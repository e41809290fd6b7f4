import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, Output, stepCountIs, streamText, tool, type LanguageModel } from 'ai';
import { z } from 'zod';
import { startStack, type Stack } from './start-stack.js';

/** The Vercel AI SDK's OpenAI-compatible provider pointed at the gateway. */
let stack: Stack;
let model: LanguageModel;
/** The same, told the endpoint takes response_format json_schema. */
let structuredModel: LanguageModel;
beforeAll(async () => {
  // Warnings are asserted from results instead of logged.
  (globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
  stack = await startStack();
  const settings = { name: 'dashscope-gateway', baseURL: `${stack.url}/v1`, apiKey: 'sk-ai-sdk-user', includeUsage: true };
  model = createOpenAICompatible(settings)('qwen-plus');
  structuredModel = createOpenAICompatible({ ...settings, supportsStructuredOutputs: true })('qwen-plus');
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => stack.fake.reset());

interface DashScopeBody {
  model: string;
  input: { messages: Array<Record<string, unknown>> };
  parameters: Record<string, unknown>;
}

function dashScopeBody(index: number): DashScopeBody {
  const request = stack.fake.requests[index];
  if (request === undefined) throw new Error(`no DashScope request #${index}`);
  return request.body as DashScopeBody;
}

function weatherTool(received: Array<{ location: string }>) {
  return tool({
    description: 'Current weather in a city.',
    inputSchema: z.object({ location: z.string().describe('The city, e.g. 杭州') }),
    execute: async ({ location }) => {
      received.push({ location });
      return { location, temperature: '23°C', condition: 'sunny' };
    },
  });
}

/** What the second DashScope call carried: the assistant's call and the tool's result, linked by id. */
function expectToolRoundTrip(toolCallId: string) {
  const messages = dashScopeBody(1).input.messages;
  expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
  expect(messages[1]).toMatchObject({
    role: 'assistant',
    tool_calls: [{ id: toolCallId, type: 'function', function: { name: 'get_current_weather' } }],
  });
  expect(messages[2]).toMatchObject({ role: 'tool', tool_call_id: toolCallId });
  expect(JSON.parse(messages[2]?.content as string)).toEqual({ location: '杭州天气', temperature: '23°C', condition: 'sunny' });
}

describe('the AI SDK against the gateway', () => {
  it('generateText answers plain text with usage', async () => {
    const result = await generateText({ model, prompt: '你好' });
    expect(result.text).toBe('您好！这是模拟的 DashScope 回答 😊 You said: 你好');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.outputTokens).toBeGreaterThan(0);
  });

  it('generateText runs a tool over several steps to a final text answer', async () => {
    const received: Array<{ location: string }> = [];
    const result = await generateText({
      model,
      prompt: '杭州天气',
      tools: { get_current_weather: weatherTool(received) },
      stopWhen: stepCountIs(3),
    });
    expect(received).toEqual([{ location: '杭州天气' }]);
    expect(result.steps).toHaveLength(2);
    const [first, second] = result.steps;
    expect(first?.finishReason).toBe('tool-calls');
    expect(first?.toolCalls).toEqual([
      expect.objectContaining({
        toolName: 'get_current_weather',
        input: { location: '杭州天气' },
        toolCallId: expect.stringMatching(/^\S+$/),
      }),
    ]);
    expect(first?.toolResults).toEqual([
      expect.objectContaining({
        toolName: 'get_current_weather',
        output: { location: '杭州天气', temperature: '23°C', condition: 'sunny' },
      }),
    ]);
    expect(second?.finishReason).toBe('stop');
    expect(result.text).toContain('Tool results:');
    expect(result.text).toContain('23°C');
    expect(stack.fake.requests).toHaveLength(2);
    expectToolRoundTrip(first?.toolCalls[0]?.toolCallId ?? '');
  });

  it('generateText runs two tools the model called in one step and sends both results back', async () => {
    const received: Array<{ location: string }> = [];
    const zones: string[] = [];
    stack.fake.enqueue({
      type: 'reply',
      text: '',
      toolCalls: [
        { name: 'get_current_weather', arguments: '{"location": "杭州天气"}' },
        { name: 'get_current_time', arguments: '{"zone": "Asia/Shanghai"}' },
      ],
    });
    const result = await generateText({
      model,
      prompt: '杭州现在几点，天气如何？',
      tools: {
        get_current_weather: weatherTool(received),
        get_current_time: tool({
          description: 'The current time in a time zone.',
          inputSchema: z.object({ zone: z.string() }),
          execute: async ({ zone }) => {
            zones.push(zone);
            return '12:00';
          },
        }),
      },
      stopWhen: stepCountIs(3),
    });
    expect(received).toEqual([{ location: '杭州天气' }]);
    expect(zones).toEqual(['Asia/Shanghai']);
    expect(result.steps).toHaveLength(2);
    const calls = result.steps[0]?.toolCalls ?? [];
    expect(calls.map((call) => call.toolName)).toEqual(['get_current_weather', 'get_current_time']);
    expect(new Set(calls.map((call) => call.toolCallId)).size).toBe(2);
    expect(result.text).toContain('Tool results:');
    expect(result.text).toContain('12:00');
    const messages = dashScopeBody(1).input.messages;
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'tool']);
    expect(messages.slice(2).map((message) => message.tool_call_id)).toEqual(calls.map((call) => call.toolCallId));
  });

  it('streamText streams the tool call, its result and the final text', async () => {
    const received: Array<{ location: string }> = [];
    const result = streamText({
      model,
      prompt: '杭州天气',
      tools: { get_current_weather: weatherTool(received) },
      stopWhen: stepCountIs(3),
    });
    const kinds: string[] = [];
    const toolCalls: Array<{ toolCallId: string; toolName: string; input: unknown }> = [];
    const toolResults: Array<{ toolCallId: string; output: unknown }> = [];
    let text = '';
    for await (const part of result.fullStream) {
      kinds.push(part.type);
      if (part.type === 'text-delta') text += part.text;
      else if (part.type === 'tool-call') toolCalls.push(part);
      else if (part.type === 'tool-result') toolResults.push(part);
      else if (part.type === 'error') throw part.error;
    }
    expect(received).toEqual([{ location: '杭州天气' }]);
    expect(toolCalls).toEqual([
      expect.objectContaining({
        toolName: 'get_current_weather',
        input: { location: '杭州天气' },
        toolCallId: expect.stringMatching(/^\S+$/),
      }),
    ]);
    expect(toolResults).toEqual([
      expect.objectContaining({
        toolCallId: toolCalls[0]?.toolCallId,
        output: { location: '杭州天气', temperature: '23°C', condition: 'sunny' },
      }),
    ]);
    expect(kinds.indexOf('tool-call')).toBeLessThan(kinds.indexOf('tool-result'));
    expect(kinds.indexOf('tool-result')).toBeLessThan(kinds.indexOf('text-delta'));
    expect(text).toContain('Tool results:');
    expect(text).toContain('23°C');
    expect(await result.text).toBe(text);
    expect(await result.finishReason).toBe('stop');
    expect((await result.totalUsage).outputTokens).toBeGreaterThan(0);

    expect(stack.fake.requests).toHaveLength(2);
    for (const request of stack.fake.requests) expect(request.headers.accept).toBe('text/event-stream');
    expectToolRoundTrip(toolCalls[0]?.toolCallId ?? '');
  });

  const city = z.object({ city: z.string(), population: z.number(), landmarks: z.array(z.string()) });

  it('generateText with Output.object sends response_format json_schema and parses the object', async () => {
    const result = await generateText({ model: structuredModel, prompt: '介绍一下杭州', output: Output.object({ schema: city }) });
    expect(result.output).toEqual({ city: '介绍一下杭州', population: 1, landmarks: [] });
    const format = dashScopeBody(0).parameters.response_format as { type: string; json_schema?: { name?: string; schema?: unknown } };
    expect(format.type).toBe('json_schema');
    expect(format.json_schema?.schema).toMatchObject({ type: 'object', properties: { city: { type: 'string' } } });
  });

  it('generateText with Output.object on a provider without structured outputs falls back to json_object', async () => {
    // The fake answers json_object requests with {"answer": <the prompt>}.
    const answer = z.object({ answer: z.string() });
    const result = await generateText({ model, prompt: 'Reply in JSON: 北京', output: Output.object({ schema: answer }) });
    expect(result.output.answer).toContain('北京');
    // The SDK says so itself: the schema was not sent.
    expect(result.warnings).toEqual([expect.objectContaining({ feature: 'responseFormat' })]);
    expect(dashScopeBody(0).parameters.response_format).toEqual({ type: 'json_object' });
  });
});
