import { jsonChoiceJson, messageJson, streamChoiceJson, type FinishReason } from './choice-layout.js';
import { usageJson } from './usage.js';

/**
 * One text-endpoint `{output, usage, request_id}` in message format, for hand-built bodies (the
 * misbehaving upstreams): the same layout the normal answers use, without a request behind it.
 */
export function plainMessagePayload({
  content,
  finishReason,
  inputTokens,
  outputTokens,
  requestId,
  streaming,
}: {
  content: string;
  finishReason: FinishReason;
  inputTokens: number;
  outputTokens: number;
  requestId: string;
  streaming: boolean;
}): Record<string, unknown> {
  const endpoint = 'text-generation';
  const message = messageJson({ endpoint, streaming, parts: { content, reasoning: undefined, toolCalls: undefined } });
  const choice = streaming
    ? streamChoiceJson({ endpoint, message, index: 0, showIndex: false, finishReason, logprobs: undefined })
    : jsonChoiceJson({ message, index: 0, showIndex: false, finishReason, logprobs: undefined });
  const usage = usageJson({
    request: { endpoint, thinking: { enabled: false, budget: undefined } },
    input: { inputTokens, textTokens: inputTokens, imageTokens: 0, audioTokens: 0, videoTokens: 0 },
    output: { outputTokens, reasoningTokens: 0 },
    streaming,
  });
  return { output: { choices: [choice] }, usage, request_id: requestId };
}
