import { badUpstreamResponse } from '../errors/upstream-transport-error.js';
import type { CompletionUsage } from '../openai/chat-response-types.js';
import type { TextCompletion } from './text-completion-types.js';

/**
 * The answers to several prompts (one DashScope call each, in prompt order) → one `text_completion`, as
 * OpenAI answers a prompt array: choice `index` is promptIndex * n + the choice's own index, and usage is
 * the sum. The id, created and model are the first answer's.
 */
export function mergeTextCompletions({
  completions,
  choiceCount,
}: {
  completions: readonly TextCompletion[];
  choiceCount: number;
}): TextCompletion {
  const [first] = completions;
  if (first === undefined) throw new TypeError('mergeTextCompletions: no completions');
  // Numbered prompt by prompt, a choice outside 0..n-1 would take another prompt's place.
  for (const completion of completions) {
    const seen = new Set<number>();
    for (const { index } of completion.choices) {
      if (!Number.isInteger(index) || index < 0 || index >= choiceCount || seen.has(index)) {
        throw badUpstreamResponse(`a choice numbered ${index} where ${choiceCount} were asked for`);
      }
      seen.add(index);
    }
  }
  return {
    ...first,
    choices: completions.flatMap((completion, promptIndex) =>
      completion.choices.map((choice) => ({ ...choice, index: promptIndex * choiceCount + choice.index })),
    ),
    usage: completions.map((completion) => completion.usage).reduce(sumUsage),
  };
}

/** Token details are summed where either side has them: a missing detail counts as zero. */
function sumUsage(a: CompletionUsage, b: CompletionUsage): CompletionUsage {
  const sum: CompletionUsage = {
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
  };
  if (a.prompt_tokens_details !== undefined || b.prompt_tokens_details !== undefined) {
    sum.prompt_tokens_details = {
      cached_tokens: (a.prompt_tokens_details?.cached_tokens ?? 0) + (b.prompt_tokens_details?.cached_tokens ?? 0),
    };
  }
  if (a.completion_tokens_details !== undefined || b.completion_tokens_details !== undefined) {
    sum.completion_tokens_details = {
      reasoning_tokens: (a.completion_tokens_details?.reasoning_tokens ?? 0) + (b.completion_tokens_details?.reasoning_tokens ?? 0),
    };
  }
  return sum;
}
