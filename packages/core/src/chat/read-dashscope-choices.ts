import type { DashScopeGenerationResponse, DashScopeLogprobs, DashScopeToolCallFragment } from '../dashscope/generation-response-schema.js';

export interface DashScopeChoiceText {
  index: number;
  content: string;
  reasoningContent: string;
  /** Whole calls (non-stream) or fragments of calls (stream); empty when there are none. */
  toolCalls: readonly DashScopeToolCallFragment[];
  logprobs: DashScopeLogprobs | null | undefined;
  finishReason: string | null | undefined;
}

const noToolCalls: readonly DashScopeToolCallFragment[] = [];

/**
 * Every choice's text, whatever the format: `output.choices[].message` (result_format "message",
 * content a string or multimodal `[{text}]` items) or `output.text` (result_format "text", one choice).
 * Items that are not text (an omni model's audio) carry nothing a chat answer can hold.
 */
export function readDashScopeChoices(response: DashScopeGenerationResponse): DashScopeChoiceText[] {
  const output = response.output;
  const choices = output?.choices;
  if (choices === undefined || choices.length === 0) {
    return [
      {
        index: 0,
        content: output?.text ?? '',
        reasoningContent: '',
        toolCalls: noToolCalls,
        logprobs: undefined,
        finishReason: output?.finish_reason,
      },
    ];
  }
  return choices.map((choice, position) => {
    const content = choice.message?.content;
    return {
      index: choice.index ?? position,
      content: typeof content === 'string' ? content : joinTextItems(content),
      reasoningContent: choice.message?.reasoning_content ?? '',
      toolCalls: choice.message?.tool_calls ?? noToolCalls,
      logprobs: choice.logprobs,
      finishReason: choice.finish_reason,
    };
  });
}

function joinTextItems(items: ReadonlyArray<{ text?: string | undefined }> | null | undefined): string {
  if (items == null || items.length === 0) return '';
  if (items.length === 1) return items[0]?.text ?? '';
  return items.map((item) => item.text ?? '').join('');
}
