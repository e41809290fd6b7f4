import type { GenerationRequest } from './parse-generation-request.js';

export type FinishReason = 'null' | 'stop' | 'length';

export interface GenerationUsage {
  inputTokens: number;
  outputTokens: number;
  imageTokens: number;
}

/**
 * One `{output, usage, request_id}` object, with keys in the order of the recordings:
 * - text models, streaming: single-generation-message-with-tools-sse / single-generation-text-sse (2025);
 * - text models, non-stream message: single-generation-message-nosse (choices without index);
 * - multimodal: multimodal-generation-vl-sse / -nosse (content is a list of {text}, usage without total_tokens).
 * Intermediate events carry the string "null" as finish reason (protocol §4.3).
 */
export function buildGenerationPayload({
  request,
  content,
  finishReason,
  usage,
  requestId,
  streaming,
}: {
  request: Pick<GenerationRequest, 'endpoint' | 'resultFormat'>;
  content: string;
  finishReason: FinishReason;
  usage: GenerationUsage;
  requestId: string;
  streaming: boolean;
}): Record<string, unknown> {
  if (request.endpoint === 'multimodal-generation') {
    return {
      output: { choices: [multimodalChoice({ content, finishReason, streaming })] },
      usage: multimodalUsage({ usage, streaming }),
      request_id: requestId,
    };
  }
  const textUsage = {
    total_tokens: usage.inputTokens + usage.outputTokens,
    output_tokens: usage.outputTokens,
    input_tokens: usage.inputTokens,
    prompt_tokens_details: { cached_tokens: 0 },
  };
  if (request.resultFormat === 'text') {
    return { output: { finish_reason: finishReason, text: content }, usage: textUsage, request_id: requestId };
  }
  const choice = streaming
    ? { message: { content, role: 'assistant' }, index: 0, finish_reason: finishReason }
    : { finish_reason: finishReason, message: { role: 'assistant', content } };
  return { output: { choices: [choice] }, usage: textUsage, request_id: requestId };
}

function multimodalChoice({
  content,
  finishReason,
  streaming,
}: {
  content: string;
  finishReason: FinishReason;
  streaming: boolean;
}): Record<string, unknown> {
  if (!streaming) return { finish_reason: finishReason, message: { role: 'assistant', content: [{ text: content }] } };
  // Stream events without text carry an empty list, as the recorded reasoning/tool-call events do.
  return { message: { content: content === '' ? [] : [{ text: content }], role: 'assistant' }, finish_reason: finishReason };
}

function multimodalUsage({ usage, streaming }: { usage: GenerationUsage; streaming: boolean }): Record<string, number> {
  const images: Record<string, number> = usage.imageTokens > 0 ? { image_tokens: usage.imageTokens } : {};
  return streaming
    ? { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, ...images }
    : { output_tokens: usage.outputTokens, input_tokens: usage.inputTokens, ...images };
}
