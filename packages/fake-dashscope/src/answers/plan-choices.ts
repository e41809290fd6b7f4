import type { GenerationRequest } from '../requests/generation-request.js';
import { generateAnswer, planAnswer, tokenizeAnswer, variantSuffix } from './answer-text.js';
import { generateJsonAnswer } from './json-answer.js';
import { generateReasoning } from './reasoning.js';
import { planToolCalls, type PlannedToolCall } from './tool-calls.js';

// What each choice of an answer holds, before it is laid out as one JSON body or as stream events:
// its reasoning tokens, its answer tokens, its tool calls and how it ends.

export type ChoiceFinishReason = 'stop' | 'length' | 'tool_calls';

export interface ChoicePlan {
  index: number;
  reasoning: string[];
  content: string[];
  toolCalls: PlannedToolCall[];
  /** How a stream ends this choice. */
  finishReason: ChoiceFinishReason;
  /**
   * How a non-stream answer ends it: recorded as "stop" even with tool calls
   * (single-generation-message-with-tools-nosse), which a faithful gateway must correct.
   */
  jsonFinishReason: ChoiceFinishReason;
}

/** The `reply` script's fields that shape an answer. */
export interface ScriptedReply {
  text: string;
  finishReason?: ChoiceFinishReason | undefined;
  toolCalls?: ReadonlyArray<{ name: string; arguments: string }> | undefined;
}

export function planChoices({
  request,
  requestId,
  scripted,
  replyOption,
}: {
  request: GenerationRequest;
  requestId: string;
  scripted: ScriptedReply | undefined;
  /** The fake's `reply` option, bound to this request. */
  replyOption: (() => string) | undefined;
}): ChoicePlan[] {
  const toolCalls = planToolCalls({ request, requestId, scripted: scripted?.toolCalls });
  // DashScope fixes n to 1 when tools are present (protocol §3.2).
  const count = toolCalls.length > 0 || request.tools.length > 0 ? 1 : request.n;
  return Array.from({ length: count }, (_, index) => planChoice({ request, index, toolCalls, scripted, replyOption }));
}

function planChoice({
  request,
  index,
  toolCalls,
  scripted,
  replyOption,
}: {
  request: GenerationRequest;
  index: number;
  toolCalls: PlannedToolCall[];
  scripted: ScriptedReply | undefined;
  replyOption: (() => string) | undefined;
}): ChoicePlan {
  const totalCap = request.maxCompletionTokens ?? Number.POSITIVE_INFINITY;
  const reasoning = request.thinking.enabled
    ? tokenizeAnswer(generateReasoning({ lastUserText: request.lastUserText, toolNames: toolCalls.map((call) => call.name) })).slice(
        0,
        Math.min(request.thinking.budget ?? Number.POSITIVE_INFINITY, totalCap),
      )
    : [];
  const left = totalCap - reasoning.length;
  const ending = (computed: ChoiceFinishReason, json: ChoiceFinishReason = computed) => ({
    finishReason: scripted?.finishReason ?? computed,
    jsonFinishReason: scripted?.finishReason ?? json,
  });

  if (toolCalls.length > 0) {
    // Reasoning used up max_completion_tokens: the calls never come.
    if (left <= 0) return { index, reasoning, content: [], toolCalls: [], ...ending('length') };
    // Calls are not cut by the limits; a scripted text goes out as content before them.
    return { index, reasoning, content: tokenizeAnswer(scripted?.text ?? ''), toolCalls, ...ending('tool_calls', 'stop') };
  }
  const text =
    scripted !== undefined
      ? scripted.text + variantSuffix(index)
      : replyOption !== undefined
        ? replyOption() + variantSuffix(index)
        : defaultText(request, index);
  const plan = planAnswer({ text, stop: request.stop, maxTokens: Math.min(request.maxTokens ?? Number.POSITIVE_INFINITY, left) });
  return { index, reasoning, content: plan.tokens, toolCalls: [], ...ending(plan.finishReason) };
}

function defaultText(request: GenerationRequest, variant: number): string {
  const toolResults = request.lastRole === 'tool' ? request.trailingToolResults : [];
  if (request.responseFormat.type !== 'text') {
    const said = toolResults.length > 0 ? toolResults.join('; ') : request.lastUserText;
    return generateJsonAnswer({ responseFormat: request.responseFormat, said, variant });
  }
  return generateAnswer({ lastUserText: request.lastUserText, toolResults, variant });
}

/**
 * Whether the answer goes out in the text result format (output.text): only when asked and when it
 * holds one plain text; scripted tool calls need the message format, as tools do.
 */
export function answersAsText(request: Pick<GenerationRequest, 'resultFormat'>, plans: readonly ChoicePlan[]): boolean {
  return request.resultFormat === 'text' && plans.every((plan) => plan.toolCalls.length === 0);
}
