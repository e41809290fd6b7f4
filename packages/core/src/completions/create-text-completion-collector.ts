import type { ChatChunkMapperOptions } from '../chat/chat-chunk-mapper.js';
import { createChatCompletionCollector } from '../chat/create-chat-completion-collector.js';
import type { StreamMapper } from '../stream/create-stream-translator.js';
import type { TextCompletion } from './text-completion-types.js';
import { toTextCompletion } from './to-text-completion.js';

/**
 * A DashScope stream → one `text_completion`, for a non-stream request DashScope can only answer in a
 * stream (a model that thinks only in streams): the chat collector folds the stream into a
 * `chat.completion`, converted here once it is whole. Error and done parts pass through unchanged.
 */
export function createTextCompletionCollector(options: Omit<ChatChunkMapperOptions, 'includeUsage'>): StreamMapper<TextCompletion> {
  const chat = createChatCompletionCollector(options);
  const convert = (parts: ReturnType<typeof chat.map>) =>
    parts.map((part) => (part.type === 'data' ? { type: 'data' as const, data: toTextCompletion(part.data) } : part));
  return {
    map: (event) => convert(chat.map(event)),
    end: () => convert(chat.end()),
    summary: () => chat.summary(),
    finished: () => chat.finished(),
    bufferedLength: () => chat.bufferedLength?.() ?? 0,
  };
}
