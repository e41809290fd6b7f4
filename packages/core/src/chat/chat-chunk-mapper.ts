import { badUpstreamResponse, upstreamStreamTruncated } from '../errors/upstream-transport-error.js';
import type { DashScopeUsage } from '../dashscope/generation-response-schema.js';
import { isDashScopeGenerationResponse } from '../dashscope/is-generation-response.js';
import type { ChatCompletionChunk, ChatCompletionChunkDelta, ChoiceLogprobs, FinishReason } from '../openai/chat-response-types.js';
import type { StreamMapper } from '../stream/create-stream-translator.js';
import type { StreamPart } from '../stream/stream-part.js';
import { convertDashScopeLogprobs } from './convert-dashscope-logprobs.js';
import { convertDashScopeUsage } from './convert-dashscope-usage.js';
import { createToolCallDeltaTracker, type ToolCallDeltaTracker } from './create-tool-call-delta-tracker.js';
import { finishReasonWithToolCalls } from './map-dashscope-finish-reason.js';
import { readDashScopeChoices } from './read-dashscope-choices.js';
import { toChatCompletionId } from './to-chat-completion-id.js';

export interface ChatChunkMapperOptions {
  /** The model as the client named it. */
  model: string;
  /** `stream_options.include_usage`. */
  includeUsage: boolean;
  /** Unix seconds for every chunk's `created`. */
  created: number;
  /** Used for `id` when DashScope sent no request_id. */
  generateId: () => string;
  /** How many choices the stream carries (OpenAI's `n`); it is finished when each has finished. */
  choiceCount?: number;
}

type ChatStreamPart = StreamPart<ChatCompletionChunk>;

interface ChoiceState {
  /** Its finish reason once it finished, null while it streams. */
  finishReason: FinishReason | null;
  toolCalls: ToolCallDeltaTracker;
}

/**
 * DashScope result events (incremental_output: true) → OpenAI `chat.completion.chunk` parts. Each
 * choice's first chunk carries the role; reasoning, content, tool-call pieces and their logprobs follow
 * as they come, in one chunk per event; a choice's finish becomes a chunk with an empty delta and its
 * finish reason ("tool_calls" whenever the choice called tools); usage (cumulative on every DashScope
 * event) is sent once at the end if asked for; `[DONE]` closes, because DashScope sends none. State is
 * kept per choice index.
 */
export function createChatChunkMapper({
  model,
  includeUsage,
  created,
  generateId,
  choiceCount = 1,
}: ChatChunkMapperOptions): StreamMapper<ChatCompletionChunk> {
  let state: 'waiting' | 'streaming' | 'finished' | 'failed' = 'waiting';
  let id = '';
  let usage: DashScopeUsage | undefined;
  let requestId: string | undefined;
  const choices = new Map<number, ChoiceState>();

  function chunk(
    index: number,
    delta: ChatCompletionChunkDelta,
    finishReason: FinishReason | null = null,
    logprobs: ChoiceLogprobs | null = null,
  ): ChatStreamPart {
    const data: ChatCompletionChunk = {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index, delta, logprobs, finish_reason: finishReason }],
    };
    if (includeUsage) data.usage = null;
    return { type: 'data', data };
  }

  function fail(parts: ChatStreamPart[], error: ChatStreamPart & { type: 'error' }): ChatStreamPart[] {
    state = 'failed';
    parts.push(error);
    return parts;
  }

  function mapResult(payload: unknown): ChatStreamPart[] {
    const parts: ChatStreamPart[] = [];
    if (!isDashScopeGenerationResponse(payload))
      return fail(parts, { type: 'error', error: badUpstreamResponse('an unreadable stream event') });
    const body = payload;
    if (state === 'waiting') {
      id = toChatCompletionId(body.request_id, generateId);
      requestId = body.request_id;
      state = 'streaming';
    }
    // A search-source pre-event carries `usage: {}`; keep the last real totals.
    if (body.usage?.input_tokens !== undefined) usage = body.usage;
    for (const { index, content, reasoningContent, toolCalls, logprobs, finishReason } of readDashScopeChoices(body)) {
      // Only the choices asked for count: a stray index must not finish (or fill) the stream.
      if (!Number.isInteger(index) || index < 0 || index >= choiceCount) continue;
      let choice = choices.get(index);
      if (choice?.finishReason != null) continue;
      if (choice === undefined) {
        choice = { finishReason: null, toolCalls: createToolCallDeltaTracker({ generateId }) };
        choices.set(index, choice);
        parts.push(chunk(index, { role: 'assistant', content: '', refusal: null }));
      }
      const delta: ChatCompletionChunkDelta = {};
      if (reasoningContent !== '') delta.reasoning_content = reasoningContent;
      if (content !== '') delta.content = content;
      if (toolCalls.length > 0) {
        const toolCallDeltas = choice.toolCalls.toDeltas(toolCalls);
        if (toolCallDeltas.length > 0) delta.tool_calls = toolCallDeltas;
      }
      const convertedLogprobs = convertDashScopeLogprobs(logprobs);
      // Logprobs alone (an event whose tokens carried no text) still reach the client; an empty list does not.
      const hasLogprobs = convertedLogprobs?.content != null && convertedLogprobs.content.length > 0;
      if (hasLogprobs || delta.content !== undefined || delta.reasoning_content !== undefined || delta.tool_calls !== undefined) {
        parts.push(chunk(index, delta, null, convertedLogprobs));
      }
      if (finishReason == null || finishReason === '' || finishReason === 'null') continue;
      // The choice is over: calls still held go out now; a call that never got a name is no answer.
      const held = choice.toolCalls.finish();
      if (held.unnamed > 0) return fail(parts, { type: 'error', error: badUpstreamResponse('a tool call came without a function name.') });
      if (held.deltas.length > 0) parts.push(chunk(index, { tool_calls: held.deltas }));
      const finish = finishReasonWithToolCalls(finishReason, choice.toolCalls.count() > 0);
      if (finish !== null) {
        choice.finishReason = finish;
        parts.push(chunk(index, {}, finish));
      }
    }
    if (finishedChoices() >= choiceCount) state = 'finished';
    return parts;
  }

  function finishedChoices(): number {
    let finished = 0;
    for (const choice of choices.values()) if (choice.finishReason !== null) finished++;
    return finished;
  }

  return {
    map(event) {
      if (state === 'failed' || state === 'finished') return [];
      if (event.type === 'error') return fail([], event);
      return mapResult(event.payload);
    },
    end() {
      switch (state) {
        case 'failed':
          return [];
        case 'waiting':
          return fail([], { type: 'error', error: badUpstreamResponse('the stream ended before any event.') });
        case 'streaming':
          return fail([], { type: 'error', error: upstreamStreamTruncated() });
        case 'finished': {
          const parts: ChatStreamPart[] = [];
          if (includeUsage) {
            parts.push({
              type: 'data',
              data: { id, object: 'chat.completion.chunk', created, model, choices: [], usage: convertDashScopeUsage({ usage }) },
            });
          }
          parts.push({ type: 'done' });
          return parts;
        }
      }
    },
    finished: () => state === 'finished',
    // What the tool-call trackers hold (calls, ids, argument text not sent yet): the stream's own
    // memory beyond the decoder's buffers.
    bufferedLength() {
      let length = 0;
      for (const choice of choices.values()) length += choice.toolCalls.heldLength();
      return length;
    },
    summary() {
      return {
        usage: usage === undefined ? undefined : convertDashScopeUsage({ usage }),
        finishReason: choices.get(0)?.finishReason ?? null,
        requestId: requestId === '' ? undefined : requestId,
      };
    },
  };
}
