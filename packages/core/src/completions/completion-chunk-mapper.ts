import { createChatChunkMapper, type ChatChunkMapperOptions } from '../chat/chat-chunk-mapper.js';
import type { ChatCompletionChunk } from '../openai/chat-response-types.js';
import type { StreamMapper } from '../stream/create-stream-translator.js';
import type { StreamPart } from '../stream/stream-part.js';
import type { TextCompletionChunk } from './text-completion-types.js';
import { toTextFinishReason } from './to-text-completion.js';
import { toTextCompletionId } from './to-text-completion-id.js';

type CompletionStreamPart = StreamPart<TextCompletionChunk>;

/**
 * DashScope result events → OpenAI `text_completion` stream chunks, by way of the chat chunk mapper (which
 * keeps per-choice state, finishes the stream and reports errors): each chat chunk becomes at most one
 * completion chunk as it comes, so the stream stays incremental. Content pieces become `text`; a finish
 * becomes `text: ""` with its finish reason; the role chunk, reasoning and anything else without a place
 * in the legacy object are dropped; the final usage chunk (`choices: []`) and `[DONE]` pass through.
 */
export function createCompletionChunkMapper(options: ChatChunkMapperOptions): StreamMapper<TextCompletionChunk> {
  const chat = createChatChunkMapper(options);
  const toCompletionParts = (parts: StreamPart<ChatCompletionChunk>[]): CompletionStreamPart[] => {
    const out: CompletionStreamPart[] = [];
    for (const part of parts) {
      if (part.type !== 'data') out.push(part);
      else {
        const chunk = toCompletionChunk(part.data);
        if (chunk !== undefined) out.push({ type: 'data', data: chunk });
      }
    }
    return out;
  };
  return {
    map: (event) => toCompletionParts(chat.map(event)),
    end: () => toCompletionParts(chat.end()),
    summary: () => chat.summary(),
    finished: () => chat.finished(),
    bufferedLength: () => chat.bufferedLength?.() ?? 0,
  };
}

function toCompletionChunk(chunk: ChatCompletionChunk): TextCompletionChunk | undefined {
  const base = { id: toTextCompletionId(chunk.id), object: 'text_completion', created: chunk.created, model: chunk.model } as const;
  // The usage chunk; the other chunks' `usage: null` is left out, as OpenAI's schema has no null usage.
  if (chunk.choices.length === 0) return chunk.usage == null ? undefined : { ...base, choices: [], usage: chunk.usage };
  const choices: TextCompletionChunk['choices'] = [];
  for (const { index, delta, finish_reason: finishReason } of chunk.choices) {
    if (finishReason !== null)
      choices.push({ text: delta.content ?? '', index, logprobs: null, finish_reason: toTextFinishReason(finishReason) });
    // The role chunk carries `content: ""`: an empty text says nothing, so it is dropped with the rest.
    else if (delta.content !== undefined && delta.content !== '')
      choices.push({ text: delta.content, index, logprobs: null, finish_reason: null });
  }
  return choices.length === 0 ? undefined : { ...base, choices };
}
