import { describe, it, expect } from '@jest/globals';
import { chatCompletionsEndpoint } from '../chat/chat-completions-endpoint.js';
import { createChatStreamTranslator } from '../chat/create-chat-stream-translator.js';
import type { SseUpstreamCall } from '../endpoints/upstream-call.js';
import type { StreamPart } from './stream-part.js';

const options = { model: 'qwen-max', includeUsage: false, created: 1_700_000_000, generateId: () => 'generated' };
const event = (id: number, content: string, finish = 'null') =>
  `id:${id}\nevent:result\n:HTTP_STATUS/200\ndata:${JSON.stringify({
    output: { choices: [{ message: { role: 'assistant', content }, finish_reason: finish }] },
    request_id: 'r',
  })}\n\n`;

const kinds = (parts: readonly StreamPart[]) => parts.map((part) => (part.type === 'error' ? `error:${part.error.code}` : part.type));

describe('createStreamTranslator eventCount', () => {
  it('stays at 0 while DashScope sends only comments, however long', () => {
    const translator = createChatStreamTranslator(options);
    for (let index = 0; index < 1000; index++) expect(translator.push(':HTTP_STATUS/200\n: ping\n\n')).toEqual([]);
    expect(translator.eventCount()).toBe(0);
  });

  it('grows with each event, not with each push', () => {
    const translator = createChatStreamTranslator(options);
    const body = new TextEncoder().encode(event(1, '你好') + event(2, '!') + event(3, '', 'stop'));
    const counts: number[] = [];
    for (const byte of body) {
      translator.push(new Uint8Array([byte]));
      counts.push(translator.eventCount());
    }
    expect([...new Set(counts)]).toEqual([0, 1, 2, 3]);
    expect(translator.finished()).toBe(true);
  });
});

describe('createStreamTranslator limits', () => {
  it('answers a line that never ends with one 502 error part, then nothing', () => {
    const translator = createChatStreamTranslator({ ...options, limits: { maxLineLength: 200 } });
    expect(kinds(translator.push(event(1, 'a')))).toEqual(['data', 'data']);
    const parts = Array.from({ length: 100 }, () => translator.push('data:{"output":' + ' '.repeat(20))).flat();
    expect(kinds(parts)).toEqual(['error:bad_upstream_response']);
    expect(parts[0]?.type === 'error' && parts[0].error.message).toContain('a stream line longer than 200 characters');
    expect(translator.push(`\n\n${event(2, 'b', 'stop')}`)).toEqual([]);
    expect(translator.end()).toEqual([]);
    expect(translator.finished()).toBe(false);
    expect(translator.eventCount()).toBe(1);
  });

  it('gets its limits from the chat endpoint’s prepared call', () => {
    const call = chatCompletionsEndpoint.prepare(
      chatCompletionsEndpoint.parse({ model: 'qwen-max', messages: [{ role: 'user', content: 'hi' }], stream: true }).request,
      { created: 1_700_000_000, generateId: () => 'generated' },
    ) as SseUpstreamCall;
    expect(call.kind).toBe('sse');
    const limited = call.createStreamTranslator({ maxEventLength: 100 });
    expect(kinds(limited.push(`data:${'x'.repeat(101)}\n`))).toEqual(['error:bad_upstream_response']);
    const unlimited = call.createStreamTranslator();
    expect(unlimited.push(`data:${'x'.repeat(101)}\n`)).toEqual([]);
  });
});
