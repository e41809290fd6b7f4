import type { GenerationRequest } from '../requests/generation-request.js';
import type { LogprobEntry } from './logprobs.js';
import type { PlannedToolCall, ToolCallFragment } from './tool-calls.js';

// The JSON of one choice and its message, key for key as recorded. Key order matters: the gateway's
// tests compare bodies byte for byte with the recordings' shapes.

/** "null" (a string) while a stream goes on (protocol §4.3), then how the choice ended. */
export type FinishReason = 'null' | 'stop' | 'length' | 'tool_calls';

export interface MessageParts {
  /** The answer text of this event (or of the whole answer). */
  content: string;
  /** `reasoning_content`; undefined leaves the key out. */
  reasoning: string | undefined;
  /** `tool_calls`, already laid out; undefined leaves the key out. */
  toolCalls: unknown[] | undefined;
}

type Endpoint = GenerationRequest['endpoint'];

/**
 * - non-stream without reasoning: `{"role","content"}` (single-generation-message-nosse), with tool calls
 *   `{"role","tool_calls","content"}` (single-generation-message-with-tools-nosse);
 * - otherwise `{"content","reasoning_content","tool_calls","role"}`, keys present as needed
 *   (the -sse recordings and single-generation-message-reasoning-nosse).
 * The multimodal endpoint's content is a list of `{text}` items, and an empty list when an event or a
 * tool-call answer carries no text (multimodal-generation-message-with-*-sse).
 */
export function messageJson({
  endpoint,
  streaming,
  parts,
}: {
  endpoint: Endpoint;
  streaming: boolean;
  parts: MessageParts;
}): Record<string, unknown> {
  const noText = parts.content === '' && (streaming || parts.toolCalls !== undefined || parts.reasoning !== undefined);
  const content = endpoint === 'multimodal-generation' ? (noText ? [] : [{ text: parts.content }]) : parts.content;
  if (!streaming && parts.reasoning === undefined) {
    return parts.toolCalls === undefined ? { role: 'assistant', content } : { role: 'assistant', tool_calls: parts.toolCalls, content };
  }
  return {
    content,
    ...(parts.reasoning === undefined ? {} : { reasoning_content: parts.reasoning }),
    ...(parts.toolCalls === undefined ? {} : { tool_calls: parts.toolCalls }),
    role: 'assistant',
  };
}

/**
 * A stream event's choice: `{"message","index","finish_reason"}` on the text endpoint, without
 * `index` on the multimodal one (as recorded) unless several choices need telling apart. `logprobs`
 * comes last, as in the non-stream recording.
 */
export function streamChoiceJson({
  endpoint,
  message,
  index,
  showIndex,
  finishReason,
  logprobs,
}: {
  endpoint: Endpoint;
  message: Record<string, unknown>;
  index: number;
  showIndex: boolean;
  finishReason: FinishReason;
  logprobs: LogprobEntry[] | undefined;
}): Record<string, unknown> {
  return {
    message,
    ...(endpoint === 'text-generation' || showIndex ? { index } : {}),
    finish_reason: finishReason,
    ...(logprobs === undefined ? {} : { logprobs: { content: logprobs } }),
  };
}

/** A non-stream choice: `{"finish_reason","message","logprobs"}`; `index` only when there are several. */
export function jsonChoiceJson({
  message,
  index,
  showIndex,
  finishReason,
  logprobs,
}: {
  message: Record<string, unknown>;
  index: number;
  showIndex: boolean;
  finishReason: FinishReason;
  logprobs: LogprobEntry[] | undefined;
}): Record<string, unknown> {
  return {
    finish_reason: finishReason,
    ...(showIndex ? { index } : {}),
    message,
    ...(logprobs === undefined ? {} : { logprobs: { content: logprobs } }),
  };
}

/** A whole call in a non-stream answer (single-generation-message-with-tools-nosse). */
export function toolCallJson(call: PlannedToolCall, index: number): Record<string, unknown> {
  return { function: { name: call.name, arguments: call.arguments }, index, id: call.id, type: 'function' };
}

/**
 * A call's piece in an incremental stream (protocol §5.3): the first names the call, later ones have
 * `"id":""` and no name.
 */
export function toolCallFragmentJson(fragment: ToolCallFragment): Record<string, unknown> {
  return fragment.first
    ? {
        index: fragment.index,
        id: fragment.call.id,
        type: 'function',
        function: { name: fragment.call.name, arguments: fragment.arguments },
      }
    : { index: fragment.index, id: '', type: 'function', function: { arguments: fragment.arguments } };
}

/** The calls so far, whole, for a cumulative stream (each event repeats everything so far). */
export function accumulatedToolCallsJson(fragments: readonly ToolCallFragment[]): Record<string, unknown>[] {
  const calls = new Map<number, { call: PlannedToolCall; arguments: string }>();
  for (const fragment of fragments) {
    const seen = calls.get(fragment.index);
    calls.set(fragment.index, { call: fragment.call, arguments: (seen?.arguments ?? '') + fragment.arguments });
  }
  return [...calls.entries()].map(([index, { call, arguments: text }]) => ({
    index,
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: text },
  }));
}
