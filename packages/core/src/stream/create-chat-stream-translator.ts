import { createChatChunkMapper, type ChatChunkMapperOptions } from './chat-chunk-mapper.js';
import type { ChatStreamPart } from './chat-stream-part.js';
import { createSseParser } from './sse-decoder.js';

/**
 * DashScope's SSE bytes → OpenAI chat stream parts, incrementally: decode (a streaming UTF-8 decoder,
 * so a character split across chunks survives) → parse SSE → map. Nothing waits for the whole body.
 */
export function createChatStreamTranslator(options: ChatChunkMapperOptions): TransformStream<Uint8Array | string, ChatStreamPart> {
  const decoder = new TextDecoder();
  const parser = createSseParser();
  const mapper = createChatChunkMapper(options);

  function enqueueAll(controller: TransformStreamDefaultController<ChatStreamPart>, parts: ChatStreamPart[]): void {
    for (const part of parts) controller.enqueue(part);
  }

  return new TransformStream({
    transform(input, controller) {
      const text = typeof input === 'string' ? input : decoder.decode(input, { stream: true });
      for (const event of parser.push(text)) enqueueAll(controller, mapper.map(event));
    },
    flush(controller) {
      for (const event of parser.push(decoder.decode())) enqueueAll(controller, mapper.map(event));
      for (const event of parser.end()) enqueueAll(controller, mapper.map(event));
      enqueueAll(controller, mapper.end());
    },
  });
}
