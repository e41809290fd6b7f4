import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { chat, choicesOf, finishOf, outcomeOf, post, postJson, postStream, textOf, type Json } from './__fixtures__/fake-client.js';
import { DASHSCOPE_PATHS, startFakeDashScope, type FakeDashScope } from './index.js';

// n, logprobs, response_format and the parameter ranges.

const message = (parameters: Json, content = 'hi'): Json => chat(content, { result_format: 'message', ...parameters });

interface LogprobEntry {
  top_logprobs: Array<{ logprob: number; bytes: number[]; token: string }>;
  logprob: number;
  bytes: number[];
  token: string;
}

function logprobsOf(choice: Json): LogprobEntry[] {
  return (choice.logprobs as { content: LogprobEntry[] }).content;
}

describe('fake DashScope output options', () => {
  let fake: FakeDashScope;
  beforeAll(async () => {
    fake = await startFakeDashScope();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('refuses an output cap above the model’s largest output, with DashScope’s range message', async () => {
    const farui = (parameters: Json) => chat('hi', { result_format: 'message', ...parameters }, 'farui-plus');
    expect(await outcomeOf(await post(fake, DASHSCOPE_PATHS.textGeneration, farui({ max_tokens: 2001 })))).toEqual({
      status: 400,
      code: 'InvalidParameter',
      message: 'Range of max_tokens should be [1, 2000]',
    });
    expect((await postJson(fake, DASHSCOPE_PATHS.textGeneration, farui({ max_tokens: 2000 }))).status).toBe(200);
  });

  describe('n', () => {
    it('answers n different choices, each with its index', async () => {
      const { json } = await postJson(fake, DASHSCOPE_PATHS.textGeneration, message({ n: 3 }));
      const choices = choicesOf(json);
      expect(choices.map((choice) => Object.keys(choice))).toEqual([
        ['finish_reason', 'index', 'message'],
        ['finish_reason', 'index', 'message'],
        ['finish_reason', 'index', 'message'],
      ]);
      expect(choices.map((choice) => (choice.message as Json).content)).toEqual([
        '您好！这是模拟的 DashScope 回答 😊 You said: hi',
        '您好！这是模拟的 DashScope 回答 😊 You said: hi (2)',
        '您好！这是模拟的 DashScope 回答 😊 You said: hi (3)',
      ]);
      const single = (await postJson(fake, DASHSCOPE_PATHS.textGeneration, message({}))).json;
      expect((json.usage as Json).output_tokens).toBeGreaterThan(3 * ((single.usage as Json).output_tokens as number) - 1);
    });

    it('streams one choice per event, taking turns, each ending with its own finish event', async () => {
      const events = await postStream(fake, DASHSCOPE_PATHS.textGeneration, message({ n: 2, incremental_output: true }));
      const indexes = events.map((event) => choicesOf(event.data)[0]!.index);
      expect(indexes.slice(0, 4)).toEqual([0, 1, 0, 1]);
      expect(events.every((event) => choicesOf(event.data).length === 1)).toBe(true);
      for (const index of [0, 1]) {
        const own = events.filter((event) => choicesOf(event.data)[0]!.index === index);
        expect(own.map((event) => textOf(event.data)).join('')).toBe(
          `您好！这是模拟的 DashScope 回答 😊 You said: hi${index === 1 ? ' (2)' : ''}`,
        );
        expect(own.slice(0, -1).every((event) => finishOf(event.data) === 'null')).toBe(true);
        expect(finishOf(own.at(-1)!.data)).toBe('stop');
      }
    });
  });

  describe('logprobs', () => {
    it('adds logprobs per token in the shape of single-generation-message-logprobs-nosse', async () => {
      const response = await post(fake, DASHSCOPE_PATHS.textGeneration, message({ logprobs: true, top_logprobs: 2, max_tokens: 2 }, '1+1'));
      const text = await response.text();
      expect(text).toMatch(
        /^\{"output":\{"choices":\[\{"finish_reason":"length","message":\{"role":"assistant","content":"您好！"\},"logprobs":\{"content":\[\{"top_logprobs":\[\{"logprob":-0\.\d+,"bytes":\[230,130,168,229,165,189\],"token":"您好"\},\{"logprob":-\d+\.\d+,"bytes":\[[\d,]+\],"token":"[^"]+"\}\],"logprob":-0\.\d+,"bytes":\[230,130,168,229,165,189\],"token":"您好"\},\{"top_logprobs":\[/,
      );
      const entries = logprobsOf(choicesOf(JSON.parse(text) as Json)[0]!);
      expect(entries.map((entry) => entry.token)).toEqual(['您好', '！']);
      for (const entry of entries) {
        expect(entry.bytes).toEqual([...Buffer.from(entry.token, 'utf8')]);
        expect(entry.logprob).toBeLessThan(0);
        expect(entry.top_logprobs).toHaveLength(2);
        expect(entry.top_logprobs[0]).toEqual({ logprob: entry.logprob, bytes: entry.bytes, token: entry.token });
        expect(entry.top_logprobs[1]!.logprob).toBeLessThan(entry.logprob);
      }
      const none = (await postJson(fake, DASHSCOPE_PATHS.textGeneration, message({ logprobs: true }))).json;
      expect(logprobsOf(choicesOf(none)[0]!).every((entry) => entry.top_logprobs.length === 0)).toBe(true);
      const off = (await postJson(fake, DASHSCOPE_PATHS.textGeneration, message({ top_logprobs: 3 }))).json;
      expect('logprobs' in choicesOf(off)[0]!).toBe(false);
    });

    it('gives each stream event the logprobs of its own tokens, equal to the non-stream values', async () => {
      const parameters = { logprobs: true, top_logprobs: 1 };
      const events = await postStream(fake, DASHSCOPE_PATHS.textGeneration, message({ ...parameters, incremental_output: true }));
      const whole = logprobsOf(choicesOf((await postJson(fake, DASHSCOPE_PATHS.textGeneration, message(parameters))).json)[0]!);
      for (const event of events) {
        expect(
          logprobsOf(choicesOf(event.data)[0]!)
            .map((entry) => entry.token)
            .join(''),
        ).toBe(textOf(event.data));
      }
      expect(events.flatMap((event) => logprobsOf(choicesOf(event.data)[0]!))).toEqual(whole);
      expect(Object.keys(choicesOf(events[0]!.data)[0]!)).toEqual(['message', 'index', 'finish_reason', 'logprobs']);
    });
  });

  describe('response_format', () => {
    it('answers a JSON object when asked for json_object, if the messages say "json"', async () => {
      const { json } = await postJson(
        fake,
        DASHSCOPE_PATHS.textGeneration,
        message({ response_format: { type: 'json_object' } }, '用 JSON 格式输出 1+1'),
      );
      expect(textOf(json)).toBe('{"answer": "用 JSON 格式输出 1+1"}');
      expect(
        await outcomeOf(
          await post(fake, DASHSCOPE_PATHS.textGeneration, message({ response_format: { type: 'json_object' } }, 'no keyword')),
        ),
      ).toEqual({
        status: 400,
        code: 'InvalidParameter',
        message: "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
      });
      const system = {
        model: 'qwen-plus',
        input: {
          messages: [
            { role: 'system', content: 'Reply in Json.' },
            { role: 'user', content: 'x' },
          ],
        },
        parameters: { response_format: { type: 'json_object' } },
      };
      expect((await post(fake, DASHSCOPE_PATHS.textGeneration, system)).status).toBe(200);
    });

    it('answers JSON that fits the schema for json_schema, and plain text for text', async () => {
      const schema = {
        type: 'object',
        properties: {
          city: { type: 'string' },
          days: { type: 'integer' },
          unit: { enum: ['C', 'F'] },
          tags: { type: 'array' },
          extra: { type: 'string' },
        },
        required: ['city', 'days', 'unit', 'tags'],
      };
      const { json } = await postJson(
        fake,
        DASHSCOPE_PATHS.textGeneration,
        message({ response_format: { type: 'json_schema', json_schema: { name: 'weather', schema, strict: true } } }, '杭州'),
      );
      expect(textOf(json)).toBe('{"city": "杭州", "days": 1, "unit": "C", "tags": []}');
      const plain = await postJson(fake, DASHSCOPE_PATHS.textGeneration, message({ response_format: { type: 'text' } }));
      expect(textOf(plain.json)).toBe('您好！这是模拟的 DashScope 回答 😊 You said: hi');
    });

    it('refuses any other response_format', async () => {
      const shape =
        'Parameter "response_format" must be {"type": "text"}, {"type": "json_object"} or {"type": "json_schema", "json_schema": {"name": ..., "schema": {...}}}.';
      for (const format of [
        'json_object',
        { type: 'yaml' },
        { type: 'json_schema' },
        { type: 'json_schema', json_schema: { schema: {} } },
        { type: 'json_schema', json_schema: { name: 'x', schema: 'y' } },
      ]) {
        expect(await outcomeOf(await post(fake, DASHSCOPE_PATHS.textGeneration, message({ response_format: format }, 'json')))).toEqual({
          status: 400,
          code: 'InvalidParameter',
          message: shape,
        });
      }
    });
  });

  describe('parameter ranges', () => {
    it('refuses values out of range and of the wrong type, naming the parameter', async () => {
      const cases: Array<[Json, string]> = [
        [{ temperature: 2 }, 'Range of temperature should be [0.0, 2.0)'],
        [{ temperature: -0.1 }, 'Range of temperature should be [0.0, 2.0)'],
        [{ temperature: '1' }, 'Parameter "temperature" must be a number.'],
        [{ top_p: 0 }, 'Range of top_p should be (0.0, 1.0]'],
        [{ top_p: 1.01 }, 'Range of top_p should be (0.0, 1.0]'],
        [{ top_k: -1 }, 'Range of top_k should be [0, inf)'],
        [{ top_k: 1.5 }, 'Parameter "top_k" must be an integer.'],
        [{ presence_penalty: 2.5 }, 'Range of presence_penalty should be [-2.0, 2.0]'],
        [{ repetition_penalty: 0 }, 'Range of repetition_penalty should be (0.0, inf)'],
        [{ seed: -1 }, 'Range of seed should be [0, 9223372036854775807]'],
        [{ seed: 2 ** 64 }, 'Range of seed should be [0, 9223372036854775807]'],
        [{ seed: '1' }, 'Parameter "seed" must be an integer.'],
        [{ n: 0 }, 'Range of n should be [1, 4]'],
        [{ n: 5 }, 'Range of n should be [1, 4]'],
        [{ top_logprobs: 6 }, 'Range of top_logprobs should be [0, 5]'],
        [{ logprobs: 'true' }, 'Parameter "logprobs" must be a boolean.'],
        [{ max_tokens: 0 }, 'Parameter "max_tokens" must be an integer greater than 0.'],
        [{ max_completion_tokens: 1.5 }, 'Parameter "max_completion_tokens" must be an integer greater than 0.'],
      ];
      for (const [parameters, expected] of cases) {
        const outcome = await outcomeOf(await post(fake, DASHSCOPE_PATHS.textGeneration, message(parameters)));
        expect({ parameters, ...outcome }).toEqual({ parameters, status: 400, code: 'InvalidParameter', message: expected });
      }
    });

    it('accepts the edges of each range and ignores unknown keys', async () => {
      const parameters = {
        temperature: 0,
        top_p: 1,
        top_k: 0,
        presence_penalty: -2,
        repetition_penalty: 0.01,
        seed: 9223372036854775807,
        n: 4,
        top_logprobs: 5,
        thinking_budget: 1,
        stream: true,
        enable_search: true,
        search_options: { forced_search: true },
        vl_high_resolution_images: true,
      };
      expect((await post(fake, DASHSCOPE_PATHS.textGeneration, message(parameters))).status).toBe(200);
    });
  });
});
