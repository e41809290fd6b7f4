import { dashScopeErrorFromBody } from '../errors/dashscope-error-from-body.js';
import type { GatewayError } from '../errors/gateway-error.js';
import { badUpstreamResponse, upstreamStreamTruncated } from '../errors/upstream-transport-error.js';
import { dashScopeGenerationResponseSchema, type DashScopeUsage } from '../dashscope/generation-response-schema.js';
import { parseJsonSafely } from '../dashscope/parse-json-safely.js';
import type { ChatCompletionChunk, ChatCompletionChunkDelta, FinishReason } from '../openai/chat-response-types.js';
import { convertDashScopeUsage } from '../chat/convert-dashscope-usage.js';
import { mapDashScopeFinishReason } from '../chat/map-dashscope-finish-reason.js';
import { readDashScopeChoice } from '../chat/read-dashscope-choice.js';
import { toChatCompletionId } from '../chat/to-chat-completion-id.js';
import type { ChatStreamPart } from './chat-stream-part.js';
import type { SseEvent } from './sse-decoder.js';

export interface ChatChunkMapperOptions {
  /** The model as the client named it. */
  model: string;
  /** `stream_options.include_usage`. */
  includeUsage: boolean;
  /** Unix seconds for every chunk's `created`. */
  created: number;
  /** Used for `id` when DashScope sent no request_id. */
  generateId: () => string;
}

export interface ChatChunkMapper {
  map(event: SseEvent): ChatStreamPart[];
  /** The upstream stream ended. */
  end(): ChatStreamPart[];
}

/**
 * DashScope SSE events (incremental_output: true) → OpenAI `chat.completion.chunk` parts. The first
 * chunk carries the role; content follows as it comes; DashScope's finish event becomes a chunk with an
 * empty delta and the finish reason; usage (cumulative on every DashScope event) is sent once at the end
 * if asked for; `[DONE]` closes, because DashScope sends none.
 */
export function createChatChunkMapper({ model, includeUsage, created, generateId }: ChatChunkMapperOptions): ChatChunkMapper {
  let state: 'waiting' | 'streaming' | 'finished' | 'failed' = 'waiting';
  let id = '';
  let usage: DashScopeUsage | undefined;

  function chunk(delta: ChatCompletionChunkDelta, finishReason: FinishReason | null = null): ChatStreamPart {
    const value: ChatCompletionChunk = {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
    if (includeUsage) value.usage = null;
    return { type: 'chunk', chunk: value };
  }

  function fail(error: GatewayError): ChatStreamPart[] {
    state = 'failed';
    return [{ type: 'error', error }];
  }

  function mapResult(data: string): ChatStreamPart[] {
    const parsed = dashScopeGenerationResponseSchema.safeParse(parseJsonSafely(data));
    if (!parsed.success) return fail(badUpstreamResponse('an unreadable stream event'));
    const body = parsed.data;
    // An error in a result event's clothing: no output, a code. Its status is the code's to decide.
    if (body.output === undefined && body.code !== undefined) return fail(dashScopeErrorFromBody({ body, status: 500 }));
    const parts: ChatStreamPart[] = [];
    if (state === 'waiting') {
      id = toChatCompletionId(body.request_id, generateId);
      parts.push(chunk({ role: 'assistant', content: '', refusal: null }));
      state = 'streaming';
    }
    // A search-source pre-event carries `usage: {}`; keep the last real totals.
    if (body.usage?.input_tokens !== undefined) usage = body.usage;
    const { content, reasoningContent, finishReason } = readDashScopeChoice(body);
    if (content !== '' || reasoningContent !== '') {
      const delta: ChatCompletionChunkDelta = {};
      if (reasoningContent !== '') delta.reasoning_content = reasoningContent;
      if (content !== '') delta.content = content;
      parts.push(chunk(delta));
    }
    const finish = mapDashScopeFinishReason(finishReason);
    if (finish !== null) {
      parts.push(chunk({}, finish));
      state = 'finished';
    }
    return parts;
  }

  return {
    map(event) {
      if (state === 'failed' || state === 'finished') return [];
      if (event.event === 'error') {
        // Without a `:HTTP_STATUS/` line, both official SDKs assume 400.
        return fail(dashScopeErrorFromBody({ body: parseJsonSafely(event.data), status: event.status ?? 400 }));
      }
      return mapResult(event.data);
    },
    end() {
      switch (state) {
        case 'failed':
          return [];
        case 'waiting':
          return fail(badUpstreamResponse('the stream ended before any event.'));
        case 'streaming':
          return fail(upstreamStreamTruncated());
        case 'finished': {
          const parts: ChatStreamPart[] = [];
          if (includeUsage) {
            parts.push({
              type: 'chunk',
              chunk: { id, object: 'chat.completion.chunk', created, model, choices: [], usage: convertDashScopeUsage({ usage }) },
            });
          }
          parts.push({ type: 'done' });
          return parts;
        }
      }
    },
  };
}
