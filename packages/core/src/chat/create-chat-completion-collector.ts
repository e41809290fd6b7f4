import type { ChatCompletion, ChatCompletionChunk, CompletionUsage, FinishReason, TokenLogprob } from '../openai/chat-response-types.js';
import type { StreamMapper } from '../stream/create-stream-translator.js';
import type { StreamPart } from '../stream/stream-part.js';
import { createChatChunkMapper, type ChatChunkMapperOptions } from './chat-chunk-mapper.js';

/** The JSON a collected call costs beyond its text, in characters: keys, quotes, `type`. */
const CALL_OVERHEAD = 64;

/** One logprob entry's size in the answer's JSON, in characters, near enough for the memory budget. */
function logprobLength(entry: TokenLogprob): number {
  let length = 48 + entry.token.length + (entry.bytes?.length ?? 0) * 4;
  for (const top of entry.top_logprobs) length += 40 + top.token.length + (top.bytes?.length ?? 0) * 4;
  return length;
}

interface CollectedChoice {
  index: number;
  content: string;
  reasoningContent: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  logprobs: TokenLogprob[] | null;
  finishReason: FinishReason | null;
}

/**
 * A DashScope stream → one `chat.completion`, for non-stream calls the gateway has to stream upstream
 * (a model that thinks only in streams, a stream-only model). The chat chunk mapper does the
 * translation; this folds its chunks as they come, so what is held is the answer itself, never the raw
 * events. The completion is emitted once the stream has finished; an error part passes through
 * unchanged, so it still ends the call with DashScope's error.
 */
export function createChatCompletionCollector(options: Omit<ChatChunkMapperOptions, 'includeUsage'>): StreamMapper<ChatCompletion> {
  const chunks = createChatChunkMapper({ ...options, includeUsage: true });
  const choices = new Map<number, CollectedChoice>();
  let id = '';
  let usage: CompletionUsage | undefined;
  let heldLength = 0;

  function collect(parts: StreamPart<ChatCompletionChunk>[]): StreamPart<ChatCompletion>[] {
    const out: StreamPart<ChatCompletion>[] = [];
    for (const part of parts) {
      if (part.type === 'error') out.push(part);
      else if (part.type === 'data') add(part.data);
      else out.push({ type: 'data', data: completion() }, part);
    }
    return out;
  }

  function add(chunk: ChatCompletionChunk): void {
    id = chunk.id;
    if (chunk.usage != null) usage = chunk.usage;
    for (const { index, delta, logprobs, finish_reason: finishReason } of chunk.choices) {
      let choice = choices.get(index);
      if (choice === undefined) {
        choice = { index, content: '', reasoningContent: '', toolCalls: [], logprobs: null, finishReason: null };
        choices.set(index, choice);
      }
      if (delta.content !== undefined) choice.content += delta.content;
      if (delta.reasoning_content !== undefined) choice.reasoningContent += delta.reasoning_content;
      heldLength += (delta.content?.length ?? 0) + (delta.reasoning_content?.length ?? 0);
      for (const call of delta.tool_calls ?? []) {
        let collected = choice.toolCalls[call.index];
        if (collected === undefined) {
          collected = choice.toolCalls[call.index] = { id: '', name: '', arguments: '' };
          heldLength += CALL_OVERHEAD;
        }
        if (call.id !== undefined) {
          collected.id = call.id;
          heldLength += call.id.length;
        }
        if (call.function.name !== undefined) collected.name += call.function.name;
        collected.arguments += call.function.arguments;
        heldLength += call.function.arguments.length + (call.function.name?.length ?? 0);
      }
      if (logprobs?.content != null) {
        // One by one: spreading a large array into push() overflows the call stack.
        const collected = (choice.logprobs ??= []);
        for (const entry of logprobs.content) {
          collected.push(entry);
          heldLength += logprobLength(entry);
        }
      }
      if (finishReason !== null) choice.finishReason = finishReason;
    }
  }

  function completion(): ChatCompletion {
    const sorted = [...choices.values()].sort((a, b) => a.index - b.index);
    return {
      id,
      object: 'chat.completion',
      created: options.created,
      model: options.model,
      choices: sorted.map((choice) => {
        const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content: choice.content, refusal: null };
        if (choice.reasoningContent !== '') message.reasoning_content = choice.reasoningContent;
        const toolCalls = choice.toolCalls.filter((call) => call !== undefined);
        if (toolCalls.length > 0) {
          message.tool_calls = toolCalls.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: call.arguments },
          }));
          if (choice.content === '') message.content = null;
        }
        return {
          index: choice.index,
          message,
          logprobs: choice.logprobs === null ? null : { content: choice.logprobs, refusal: null },
          finish_reason: choice.finishReason ?? 'stop',
        };
      }),
      usage: usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    };
  }

  return {
    map: (event) => collect(chunks.map(event)),
    end: () => collect(chunks.end()),
    summary: () => chunks.summary(),
    finished: () => chunks.finished(),
    // What the answer holds (text, calls, logprobs) plus what the chunk mapper holds for calls in progress.
    bufferedLength: () => heldLength + (chunks.bufferedLength?.() ?? 0),
  };
}
