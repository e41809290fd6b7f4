import type { ChatCompletionChunk } from '../openai/chat-response-types.js';
import { createStreamTranslator, type StreamTranslator } from '../stream/create-stream-translator.js';
import { createChatChunkMapper, type ChatChunkMapperOptions } from './chat-chunk-mapper.js';

/** DashScope's SSE bytes → OpenAI chat stream parts: the shared event decoder, then the chat mapper. */
export function createChatStreamTranslator(options: ChatChunkMapperOptions): StreamTranslator<ChatCompletionChunk> {
  return createStreamTranslator({ mapper: createChatChunkMapper(options) });
}
