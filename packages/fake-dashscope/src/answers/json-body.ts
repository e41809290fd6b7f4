import type { GenerationRequest } from '../requests/generation-request.js';
import { jsonChoiceJson, messageJson, toolCallJson } from './choice-layout.js';
import { logprobEntries } from './logprobs.js';
import { answersAsText, type ChoicePlan } from './plan-choices.js';
import { countToolCallTokens } from './tool-calls.js';
import { usageJson, type InputUsage } from './usage.js';

/**
 * A non-stream answer, `{output, usage, request_id}` as recorded: output.text for the text result
 * format (single-generation-text-nosse), else output.choices (single-generation-message-*-nosse,
 * multimodal-generation-vl-nosse). Usage counts every choice.
 */
export function buildGenerationBody({
  request,
  plans,
  input,
  requestId,
}: {
  request: GenerationRequest;
  plans: readonly ChoicePlan[];
  input: InputUsage;
  requestId: string;
}): string {
  const asText = answersAsText(request, plans);
  const shown = asText ? plans.slice(0, 1) : plans;
  const reasoningTokens = shown.reduce((sum, plan) => sum + plan.reasoning.length, 0);
  const outputTokens = shown.reduce(
    (sum, plan) => sum + plan.reasoning.length + plan.content.length + countToolCallTokens(plan.toolCalls),
    0,
  );
  const usage = usageJson({ request, input, output: { outputTokens, reasoningTokens }, streaming: false });
  const [first] = shown;
  if (asText && first !== undefined) {
    return JSON.stringify({
      output: { finish_reason: first.jsonFinishReason, text: first.content.join('') },
      usage,
      request_id: requestId,
    });
  }
  const choices = shown.map((plan) =>
    jsonChoiceJson({
      message: messageJson({
        endpoint: request.endpoint,
        streaming: false,
        parts: {
          content: plan.content.join(''),
          reasoning: request.thinking.enabled ? plan.reasoning.join('') : undefined,
          toolCalls: plan.toolCalls.length > 0 ? plan.toolCalls.map(toolCallJson) : undefined,
        },
      }),
      index: plan.index,
      showIndex: shown.length > 1,
      finishReason: plan.jsonFinishReason,
      logprobs:
        request.logprobs === undefined
          ? undefined
          : logprobEntries({ tokens: plan.content, position: 0, topLogprobs: request.logprobs.topLogprobs }),
    }),
  );
  return JSON.stringify({ output: { choices }, usage, request_id: requestId });
}
