import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AIMessage, HumanMessage, ToolMessage, type ToolCall } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import { startStack, type Stack } from './start-stack.js';

/** LangChain's ChatOpenAI pointed at the gateway, as a LangChain user would configure it. */
let stack: Stack;
let model: ChatOpenAI;
beforeAll(async () => {
  stack = await startStack();
  model = new ChatOpenAI({
    model: 'qwen-plus',
    apiKey: 'sk-langchain-user',
    configuration: { baseURL: `${stack.url}/v1` },
    maxRetries: 0,
  });
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

const getWeather = tool(async ({ location }) => `${location}: 23°C, sunny`, {
  name: 'get_current_weather',
  description: 'Current weather in a city.',
  schema: z.object({ location: z.string().describe('The city, e.g. 杭州') }),
});

describe('LangChain ChatOpenAI against the gateway', () => {
  it('answers a plain invoke', async () => {
    const answer = await model.invoke('你好');
    expect(answer).toBeInstanceOf(AIMessage);
    expect(answer.content).toBe('您好！这是模拟的 DashScope 回答 😊 You said: 你好');
    expect(answer.usage_metadata?.total_tokens).toBeGreaterThan(0);
  });

  it('bindTools + invoke → an AIMessage with parsed tool_calls', async () => {
    const answer = await model.bindTools([getWeather]).invoke('杭州天气');
    expect(answer.tool_calls).toHaveLength(1);
    const call = answer.tool_calls?.[0];
    expect(call?.name).toBe('get_current_weather');
    expect(call?.args).toEqual({ location: '杭州天气' });
    expect(call?.id).toMatch(/^\S+$/);
    expect(answer.response_metadata.finish_reason).toBe('tool_calls');
    const sentTools = dashScopeBody(0).parameters.tools as Array<{ function: { name: string; parameters: unknown } }>;
    expect(sentTools.map((sent) => sent.function.name)).toEqual(['get_current_weather']);
    expect(sentTools[0]?.function.parameters).toMatchObject({ type: 'object', properties: { location: { type: 'string' } } });
  });

  /** The agent loop's second turn: the model called the tool, its ToolMessage goes back, the model answers in text. */
  async function secondTurn(makeResult: (call: ToolCall) => Promise<ToolMessage>) {
    const withTools = model.bindTools([getWeather]);
    const question = new HumanMessage('杭州天气');
    const answer = await withTools.invoke([question]);
    const call = answer.tool_calls?.[0];
    if (call === undefined) throw new Error('no tool call');
    const result = await makeResult(call);
    const final = await withTools.invoke([question, answer, result]);
    expect(final.tool_calls ?? []).toHaveLength(0);
    expect(final.content).toContain('杭州天气: 23°C, sunny');
    const messages = dashScopeBody(1).input.messages;
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
    expect(messages[1]).toMatchObject({ tool_calls: [{ id: call.id, function: { name: 'get_current_weather' } }] });
    expect(messages[2]).toMatchObject({ role: 'tool', tool_call_id: call.id, content: '杭州天气: 23°C, sunny' });
  }

  it('sends a ToolMessage back and gets the final text answer', async () => {
    await secondTurn(async (call) => {
      const output: unknown = await getWeather.invoke(call.args as { location: string });
      expect(output).toBe('杭州天气: 23°C, sunny');
      return new ToolMessage({ content: String(output), tool_call_id: call.id ?? '' });
    });
  });

  // Agents run tools with `tool.invoke(toolCall)`, whose ToolMessage carries the tool's `name`; ChatOpenAI
  // sends it on the tool message, which OpenAI accepts (and so must the gateway).
  it('accepts the ToolMessage that tool.invoke(toolCall) makes (with the tool name)', async () => {
    await secondTurn(async (call) => {
      const result = await getWeather.invoke({ ...call, type: 'tool_call' });
      expect(result).toBeInstanceOf(ToolMessage);
      expect(result.name).toBe('get_current_weather');
      return result;
    });
  });

  it('streams tool calls into tool_call_chunks that concatenate to the same call', async () => {
    const stream = await model.bindTools([getWeather]).stream('上海天气');
    let merged: Awaited<ReturnType<typeof stream.next>>['value'] | undefined;
    for await (const chunk of stream) merged = merged === undefined ? chunk : merged.concat(chunk);
    expect(merged?.tool_calls).toEqual([
      expect.objectContaining({ name: 'get_current_weather', args: { location: '上海天气' }, id: expect.stringMatching(/^\S+$/) }),
    ]);
  });

  it('sends an image to a vision model through the multimodal endpoint', async () => {
    const vision = new ChatOpenAI({
      model: 'qwen3-vl-plus',
      apiKey: 'sk-langchain-user',
      configuration: { baseURL: `${stack.url}/v1` },
      maxRetries: 0,
    });
    const answer = await vision.invoke([
      new HumanMessage({
        content: [
          { type: 'image_url', image_url: { url: 'https://example.com/images/cat.png' } },
          { type: 'text', text: '图里是什么？' },
        ],
      }),
    ]);
    expect(answer.content).toBe('您好！这是模拟的 DashScope 回答 😊 You said: 图里是什么？');
    expect(stack.fake.requests[0]?.path).toContain('/multimodal-generation/generation');
    expect(dashScopeBody(0).input.messages).toEqual([
      { role: 'user', content: [{ image: 'https://example.com/images/cat.png' }, { text: '图里是什么？' }] },
    ]);
  });

  const city = z.object({
    city: z.string(),
    population: z.number(),
    landmarks: z.array(z.string()),
  });

  it('withStructuredOutput(zod) with the default method (json_schema) → an object matching the schema', async () => {
    const structured = model.withStructuredOutput(city);
    const result = await structured.invoke('介绍一下杭州');
    expect(city.safeParse(result).success).toBe(true);
    expect(result.city).toBe('介绍一下杭州');
    const format = dashScopeBody(0).parameters.response_format as { type: string; json_schema?: { schema?: unknown } };
    expect(format.type).toBe('json_schema');
    expect(format.json_schema?.schema).toMatchObject({ type: 'object', required: expect.arrayContaining(['city', 'population']) });
  });

  it('withStructuredOutput(zod, { method: "functionCalling" }) → an object from a forced tool call', async () => {
    const structured = model.withStructuredOutput(city, { method: 'functionCalling', name: 'describe_city' });
    const result = await structured.invoke('介绍一下上海');
    expect(city.parse(result)).toEqual({ city: '介绍一下上海', population: 1, landmarks: [] });
    expect(dashScopeBody(0).parameters.tool_choice).toEqual({ type: 'function', function: { name: 'describe_city' } });
  });

  it('withStructuredOutput(zod, { method: "jsonMode" }) → an object parsed from a json_object answer', async () => {
    // The fake answers json_object requests with {"answer": <the prompt>}.
    const answer = z.object({ answer: z.string() });
    const structured = model.withStructuredOutput(answer, { method: 'jsonMode' });
    const result = await structured.invoke('Reply in JSON: 北京');
    expect(answer.parse(result).answer).toContain('北京');
    expect(dashScopeBody(0).parameters.response_format).toEqual({ type: 'json_object' });
  });
});
