import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { parseOpenAISse } from '@gw/testkit';
import { postChat, startStack, type Stack } from './start-stack.js';

let stack: Stack;
beforeAll(async () => {
  // A small delay between events keeps many streams open at the same time.
  stack = await startStack({ fake: { eventDelayMs: 5 } });
});
afterAll(async () => {
  await stack.close();
});

it('sends each of 50 concurrent requests over 10 keys upstream with its own key', async () => {
  const keys = Array.from({ length: 10 }, (_, index) => `sk-user-${index}-${'x'.repeat(index)}`);
  const requests = Array.from({ length: 50 }, (_, index) => ({
    key: keys[index % keys.length] ?? '',
    marker: `request-${index}`,
    stream: index % 2 === 0,
  }));

  const answers = await Promise.all(
    requests.map(async ({ key, marker, stream }) => {
      const response = await postChat(
        stack.url,
        { model: 'qwen-turbo', messages: [{ role: 'user', content: `${marker} from ${key}` }], stream },
        { key },
      );
      expect(response.status).toBe(200);
      if (!stream)
        return ((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content ?? '';
      const chunks = parseOpenAISse(await response.text()).events as Array<{ choices: Array<{ delta: { content?: string } }> }>;
      return chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    }),
  );

  // Each answer echoes its own prompt: no stream got mixed with another.
  requests.forEach(({ marker, key }, index) => expect(answers[index]).toContain(`${marker} from ${key}`.slice(0, 40)));
  expect(stack.fake.requests).toHaveLength(50);
  for (const upstream of stack.fake.requests) {
    const content = (upstream.body as { input: { messages: Array<{ content: string }> } }).input.messages[0]?.content ?? '';
    const key = /from (sk-user-\S+)$/.exec(content)?.[1];
    expect(upstream.headers.authorization).toBe(`Bearer ${key}`);
  }
});
