import type { DashScopeGenerationResponse } from '../dashscope/generation-response-schema.js';

export interface DashScopeChoiceText {
  index: number;
  content: string;
  reasoningContent: string;
  finishReason: string | null | undefined;
}

/**
 * Every choice's text, whatever the format: `output.choices[].message` (result_format "message",
 * content a string or multimodal `[{text}]` items) or `output.text` (result_format "text", one choice).
 */
export function readDashScopeChoices(response: DashScopeGenerationResponse): DashScopeChoiceText[] {
  const output = response.output;
  const choices = output?.choices;
  if (choices === undefined || choices.length === 0) {
    return [{ index: 0, content: output?.text ?? '', reasoningContent: '', finishReason: output?.finish_reason }];
  }
  return choices.map((choice, position) => {
    const content = choice.message?.content;
    return {
      index: choice.index ?? position,
      content: typeof content === 'string' ? content : (content ?? []).map((item) => item.text ?? '').join(''),
      reasoningContent: choice.message?.reasoning_content ?? '',
      finishReason: choice.finish_reason,
    };
  });
}
