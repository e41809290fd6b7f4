import type { DashScopeGenerationResponse } from '../dashscope/generation-response-schema.js';

export interface DashScopeChoiceText {
  content: string;
  reasoningContent: string;
  finishReason: string | null | undefined;
}

/**
 * The first choice's text, whatever the format: `output.choices[0].message` (result_format "message",
 * content a string or multimodal `[{text}]` items) or `output.text` (result_format "text").
 */
export function readDashScopeChoice(response: DashScopeGenerationResponse): DashScopeChoiceText {
  const output = response.output;
  const choice = output?.choices?.[0];
  if (choice === undefined) {
    return { content: output?.text ?? '', reasoningContent: '', finishReason: output?.finish_reason };
  }
  const content = choice.message?.content;
  return {
    content: typeof content === 'string' ? content : (content ?? []).map((item) => item.text ?? '').join(''),
    reasoningContent: choice.message?.reasoning_content ?? '',
    finishReason: choice.finish_reason,
  };
}
