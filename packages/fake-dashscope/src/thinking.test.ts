import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  chat,
  finishOf,
  messageOf,
  outcomeOf,
  parseSse,
  post,
  postJson,
  postStream,
  textOf,
  type Json,
  type SseEvent,
} from './__fixtures__/fake-client.js';
import { DASHSCOPE_PATHS, startFakeDashScope, type FakeDashScope } from './index.js';

const QUESTION = '请问 1+1 是多少？';
const REASONING = `嗯，用户说的是「${QUESTION}」。让我想想怎么回答。Let me answer step by step.`;
const ANSWER = `您好！这是模拟的 DashScope 回答 😊 You said: ${QUESTION}`;

function reasoningOf(events: readonly SseEvent[]): string {
  return events.map((event) => (messageOf(event.data).reasoning_content as string | undefined) ?? '').join('');
}

function usageOf(data: Json): Record<string, unknown> {
  return data.usage as Record<string, unknown>;
}

describe('fake DashScope thinking', () => {
  let fake: FakeDashScope;
  beforeAll(async () => {
    fake = await startFakeDashScope();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('streams reasoning, then the answer, in the shape of single-generation-message-reasoning-sse', async () => {
    const body = chat(
      QUESTION,
      { result_format: 'message', incremental_output: true, enable_thinking: true, thinking_budget: 10 },
      'qwen-plus-latest',
    );
    const response = await post(fake, DASHSCOPE_PATHS.textGeneration, body, { stream: true });
    const requestId = response.headers.get('x-request-id');
    const events = parseSse(await response.text());
    expect(events[0]!.raw).toBe(
      `{"output":{"choices":[{"message":{"content":"","reasoning_content":"嗯，","role":"assistant"},"index":0,"finish_reason":"null"}]},` +
        `"usage":{"total_tokens":7,"output_tokens":1,"input_tokens":6,"output_tokens_details":{"reasoning_tokens":1}},"request_id":"${requestId}"}`,
    );
    // thinking_budget caps the reasoning at 10 tokens; the answer's events keep an empty reasoning_content.
    const reasoning = reasoningOf(events);
    expect(REASONING.startsWith(reasoning) && reasoning.length < REASONING.length).toBe(true);
    const answerEvents = events.filter((event) => messageOf(event.data).reasoning_content === '');
    expect(answerEvents.map((event) => textOf(event.data)).join('')).toBe(ANSWER);
    expect(events.at(-1)!.raw).toMatch(
      /^\{"output":\{"choices":\[\{"message":\{"content":"","reasoning_content":"","role":"assistant"\},"index":0,"finish_reason":"stop"\}\]\}/,
    );
    const plain = await postJson(fake, DASHSCOPE_PATHS.textGeneration, chat(QUESTION, {}, 'qwen-plus-latest'));
    const answerTokens = usageOf(plain.json).output_tokens as number;
    expect(usageOf(events.at(-1)!.data)).toEqual({
      total_tokens: 6 + 10 + answerTokens,
      output_tokens: 10 + answerTokens,
      input_tokens: 6,
      output_tokens_details: { reasoning_tokens: 10 },
    });
  });

  it('streams multimodal reasoning with content [] and the 2026 usage layout', async () => {
    const body = {
      model: 'qwen3.6-plus',
      input: { messages: [{ role: 'user', content: [{ image: 'https://example.com/dog.jpeg' }, { text: QUESTION }] }] },
      parameters: { incremental_output: true },
    };
    const events = await postStream(fake, DASHSCOPE_PATHS.multimodalGeneration, body);
    expect(events[0]!.raw).toMatch(
      /^\{"output":\{"choices":\[\{"message":\{"content":\[\],"reasoning_content":"嗯，","role":"assistant"\},"finish_reason":"null"\}\]\},"usage":\{"input_tokens_details":\{"image_tokens":256,"text_tokens":6\},"prompt_tokens_details":\{\},"total_tokens":263,"output_tokens":1,"input_tokens":262,"output_tokens_details":\{"reasoning_tokens":1,"text_tokens":0\},"image_tokens":256\},"request_id":"[^"]+"\}$/,
    );
    expect(reasoningOf(events)).toBe(REASONING);
    // Answer events drop reasoning_content, as multimodal-generation-message-with-tools-sse does.
    const answer = events.filter((event) => !('reasoning_content' in messageOf(event.data)));
    expect(answer.map((event) => textOf(event.data)).join('')).toBe(ANSWER);
    expect(finishOf(events.at(-1)!.data)).toBe('stop');
    const details = usageOf(events.at(-1)!.data).output_tokens_details as Record<string, number>;
    expect(details.reasoning_tokens! + details.text_tokens!).toBe(usageOf(events.at(-1)!.data).output_tokens);
  });

  it('thinks by default on a "default" model unless enable_thinking is false, never on a "none" model', async () => {
    const defaultModel = await postStream(
      fake,
      DASHSCOPE_PATHS.textGeneration,
      chat(QUESTION, { incremental_output: true }, 'qwen3-235b-a22b'),
    );
    expect(reasoningOf(defaultModel)).toBe(REASONING);
    const off = await postJson(
      fake,
      DASHSCOPE_PATHS.textGeneration,
      chat(QUESTION, { enable_thinking: false, result_format: 'message' }, 'qwen3-235b-a22b'),
    );
    expect(messageOf(off.json)).toEqual({ role: 'assistant', content: ANSWER });
    const never = await postStream(
      fake,
      DASHSCOPE_PATHS.textGeneration,
      chat(QUESTION, { result_format: 'message', incremental_output: true, enable_thinking: true }, 'qwen-max'),
    );
    expect(reasoningOf(never)).toBe('');
  });

  it('answers non-stream reasoning where the model allows it (single-generation-message-reasoning-nosse), in message shape', async () => {
    const response = await post(
      fake,
      DASHSCOPE_PATHS.textGeneration,
      chat(QUESTION, { incremental_output: false, enable_thinking: true, max_completion_tokens: 20 }, 'deepseek-v4-pro'),
    );
    const requestId = response.headers.get('x-request-id');
    const reasoning = '嗯，用户说的是「请问 1+1 是多少？」。让我想想怎么回答。Let me';
    expect(await response.text()).toBe(
      `{"output":{"choices":[{"finish_reason":"length","message":{"content":"","reasoning_content":${JSON.stringify(reasoning)},"role":"assistant"}}]},` +
        `"usage":{"input_tokens":6,"output_tokens":20,"output_tokens_details":{"reasoning_tokens":20},"prompt_tokens_details":{"cached_tokens":0},"total_tokens":26},"request_id":"${requestId}"}`,
    );
  });

  it('caps reasoning and answer together with max_completion_tokens, the answer alone with max_tokens', async () => {
    const capped = async (parameters: Json) => {
      const events = await postStream(
        fake,
        DASHSCOPE_PATHS.textGeneration,
        chat(QUESTION, { incremental_output: true, enable_thinking: true, ...parameters }),
      );
      const usage = usageOf(events.at(-1)!.data);
      return {
        finish: finishOf(events.at(-1)!.data),
        output: usage.output_tokens,
        reasoning: (usage.output_tokens_details as Json).reasoning_tokens,
      };
    };
    const reasoningTokens = (await capped({})).reasoning as number;
    expect(await capped({ max_completion_tokens: reasoningTokens + 3 })).toEqual({
      finish: 'length',
      output: reasoningTokens + 3,
      reasoning: reasoningTokens,
    });
    expect(await capped({ max_completion_tokens: 5 })).toEqual({ finish: 'length', output: 5, reasoning: 5 });
    expect(await capped({ max_tokens: 3 })).toEqual({ finish: 'length', output: reasoningTokens + 3, reasoning: reasoningTokens });
  });

  it('ignores max_completion_tokens on a model whose limit parameter is max_tokens', async () => {
    const ignored = await postJson(fake, DASHSCOPE_PATHS.textGeneration, chat('x', { max_completion_tokens: 3 }, 'qwen-long'));
    expect(ignored.json.output).toEqual({ finish_reason: 'stop', text: '您好！这是模拟的 DashScope 回答 😊 You said: x' });
    const honoured = await postJson(fake, DASHSCOPE_PATHS.textGeneration, chat('x', { max_tokens: 3 }, 'qwen-long'));
    expect(honoured.json.output).toEqual({ finish_reason: 'length', text: '您好！这是模' });
  });

  it('refuses what DashScope refuses', async () => {
    const cases: Array<[Json, boolean, string]> = [
      [chat('x', { enable_thinking: true }), false, 'parameter.enable_thinking must be set to false for non-streaming calls'],
      [chat('x', {}, 'qwen3-235b-a22b'), false, 'parameter.enable_thinking must be set to false for non-streaming calls'],
      [chat('x', { enable_thinking: true }), true, 'The incremental_output parameter must be "true" when enable_thinking is true'],
      [
        chat('x', { incremental_output: true, enable_thinking: false }, 'qwq-plus'),
        true,
        'The value of the enable_thinking parameter is restricted to True.',
      ],
      [chat('x', {}, 'qwq-plus'), false, 'This model only support stream mode, please enable the stream parameter.'],
      [
        chat('x', { incremental_output: true, enable_thinking: true, thinking_budget: 0 }),
        true,
        'Range of thinking_budget should be [1, inf)',
      ],
      [chat('x', { incremental_output: true, thinking_budget: 1.5 }), true, 'Parameter "thinking_budget" must be an integer.'],
      [chat('x', { incremental_output: true, enable_thinking: 'yes' }), true, 'Parameter "enable_thinking" must be a boolean.'],
    ];
    for (const [body, stream, message] of cases) {
      const response = await post(fake, DASHSCOPE_PATHS.textGeneration, body, { stream });
      expect({ body, ...(await outcomeOf(response)) }).toEqual({ body, status: 400, code: 'InvalidParameter', message });
    }
  });
});
