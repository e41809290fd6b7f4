import type { GenerationRequest } from '../requests/generation-request.js';
import {
  accumulatedToolCallsJson,
  messageJson,
  streamChoiceJson,
  toolCallFragmentJson,
  type FinishReason,
  type MessageParts,
} from './choice-layout.js';
import { logprobEntries } from './logprobs.js';
import { answersAsText, type ChoicePlan } from './plan-choices.js';
import { toolCallEvents } from './tool-calls.js';
import { usageJson, type InputUsage } from './usage.js';

// An answer as SSE data payloads (protocol §5). Each event carries one choice; with n > 1 the
// choices take turns (0, 1, 0, 1, ...), each ending with its own finish event. `usage` is cumulative
// over everything sent so far.

// Tokens per event cycle like this, so streams mix one-token and multi-token events as upstream does.
const TOKENS_PER_EVENT = [1, 2, 1, 3] as const;

interface ChoiceEvent {
  choice: number;
  parts: MessageParts;
  finishReason: FinishReason;
  /** The answer tokens this event carries, and where they start in the answer (for logprobs). */
  tokens: { list: string[]; position: number };
  outputTokens: number;
  reasoningTokens: number;
}

export function buildGenerationEvents({
  request,
  plans,
  input,
  requestId,
}: {
  request: GenerationRequest;
  plans: readonly ChoicePlan[];
  input: InputUsage;
  requestId: string;
}): string[] {
  // The text result format has room for one answer only.
  const asText = answersAsText(request, plans);
  const shown = asText ? plans.slice(0, 1) : plans;
  const events = interleave(shown.map((plan) => choiceEvents({ request, plan })));
  let outputTokens = 0;
  let reasoningTokens = 0;
  return events.map((event) => {
    outputTokens += event.outputTokens;
    reasoningTokens += event.reasoningTokens;
    const usage = usageJson({ request, input, output: { outputTokens, reasoningTokens }, streaming: true });
    if (asText) {
      return JSON.stringify({ output: { finish_reason: event.finishReason, text: event.parts.content }, usage, request_id: requestId });
    }
    const choice = streamChoiceJson({
      endpoint: request.endpoint,
      message: messageJson({ endpoint: request.endpoint, streaming: true, parts: event.parts }),
      index: event.choice,
      showIndex: shown.length > 1,
      finishReason: event.finishReason,
      logprobs:
        request.logprobs === undefined
          ? undefined
          : logprobEntries({ tokens: event.tokens.list, position: event.tokens.position, topLogprobs: request.logprobs.topLogprobs }),
    });
    return JSON.stringify({ output: { choices: [choice] }, usage, request_id: requestId });
  });
}

/**
 * One choice's events: reasoning, then answer text, then tool calls.
 * - incremental_output true: each event has only its new text or call fragments;
 * - false: each event repeats the whole text and the whole calls so far (protocol §5.2; for calls the
 *   wire shape is unconfirmed, §12.6, so the fake takes the simplest reading).
 * The text endpoint ends with a separate finish event ("" incrementally, the full text cumulatively),
 * except after tool calls, whose last fragment carries finish_reason "tool_calls" (protocol §5.3); the
 * multimodal endpoint puts the finish reason on its last event (multimodal-generation-vl-sse). While
 * reasoning, content is empty; once the answer starts, the text endpoint keeps sending an empty
 * `reasoning_content` (single-generation-message-reasoning-sse), the multimodal one drops the key.
 */
function choiceEvents({ request, plan }: { request: GenerationRequest; plan: ChoicePlan }): ChoiceEvent[] {
  const cumulative = !request.incrementalOutput;
  const afterReasoning = request.thinking.enabled && request.endpoint === 'text-generation' ? '' : undefined;
  const events: ChoiceEvent[] = [];
  const push = (event: Omit<ChoiceEvent, 'choice' | 'finishReason'>): void => {
    events.push({ ...event, choice: plan.index, finishReason: 'null' });
  };
  const noTokens = { list: [], position: 0 };

  for (const group of groupTokens(plan.reasoning)) {
    push({
      parts: { content: '', reasoning: group.tokens.join(''), toolCalls: undefined },
      tokens: noTokens,
      outputTokens: group.tokens.length,
      reasoningTokens: group.tokens.length,
    });
  }
  for (const group of groupTokens(plan.content)) {
    const list = cumulative ? plan.content.slice(0, group.end) : group.tokens;
    push({
      parts: { content: list.join(''), reasoning: afterReasoning, toolCalls: undefined },
      tokens: { list, position: cumulative ? 0 : group.start },
      outputTokens: group.tokens.length,
      reasoningTokens: 0,
    });
  }
  const fullText = plan.content.join('');
  const toolEvents = toolCallEvents(plan.toolCalls);
  for (const [index, fragments] of toolEvents.entries()) {
    push({
      parts: {
        content: cumulative ? fullText : '',
        reasoning: afterReasoning,
        toolCalls: cumulative ? accumulatedToolCallsJson(toolEvents.slice(0, index + 1).flat()) : fragments.map(toolCallFragmentJson),
      },
      tokens: noTokens,
      outputTokens: fragments.reduce((sum, fragment) => sum + fragment.outputTokens, 0),
      reasoningTokens: 0,
    });
  }

  const endsWithCalls = toolEvents.length > 0;
  if (!endsWithCalls && (request.endpoint === 'text-generation' || events.length === 0)) {
    push({
      parts: { content: cumulative ? fullText : '', reasoning: afterReasoning, toolCalls: undefined },
      tokens: cumulative ? { list: plan.content, position: 0 } : noTokens,
      outputTokens: 0,
      reasoningTokens: 0,
    });
  }
  events[events.length - 1]!.finishReason = plan.finishReason;
  return events;
}

function groupTokens(tokens: readonly string[]): Array<{ tokens: string[]; start: number; end: number }> {
  const groups: Array<{ tokens: string[]; start: number; end: number }> = [];
  for (let start = 0, turn = 0; start < tokens.length; turn += 1) {
    const end = Math.min(tokens.length, start + (TOKENS_PER_EVENT[turn % TOKENS_PER_EVENT.length] ?? 1));
    groups.push({ tokens: tokens.slice(start, end), start, end });
    start = end;
  }
  return groups;
}

function interleave<T>(lists: readonly T[][]): T[] {
  const result: T[] = [];
  const longest = Math.max(0, ...lists.map((list) => list.length));
  for (let position = 0; position < longest; position += 1) {
    for (const list of lists) {
      const item = list[position];
      if (item !== undefined) result.push(item);
    }
  }
  return result;
}
