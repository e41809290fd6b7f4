import type { ChatCompletionChunk } from '../openai/chat-response-types.js';
import { createStreamTranslator, type StreamTranslator } from '../stream/create-stream-translator.js';
import type { StreamLimits } from '../stream/stream-limits.js';
import { createChatChunkMapper, type ChatChunkMapperOptions } from './chat-chunk-mapper.js';

export interface ChatStreamTranslatorOptions extends ChatChunkMapperOptions {
  /** Caps on one line and one event of DashScope's stream; DEFAULT_STREAM_LIMITS for those not given. */
  limits?: Partial<StreamLimits>;
}

/** DashScope's SSE bytes → OpenAI chat stream parts: the shared event decoder, then the chat mapper. */
export function createChatStreamTranslator({ limits, ...options }: ChatStreamTranslatorOptions): StreamTranslator<ChatCompletionChunk> {
  return createStreamTranslator({ mapper: createChatChunkMapper(options), limits });
}
