import type { ModelFacts } from '../model-facts.js';
import { invalidParameter } from '../wire-format.js';

// Where the answer stops: the token caps and the stop strings.

export interface OutputLimits {
  /** `max_tokens`: caps the answer alone (reasoning is not counted). */
  maxTokens: number | undefined;
  /**
   * `max_completion_tokens`: caps reasoning and answer together. Undefined on models whose catalogue
   * limit is `max_tokens`: those ignore the newer name entirely, which is why the gateway renames it
   * for them, and why a test can tell whether it did.
   */
  maxCompletionTokens: number | undefined;
  /** Stop strings; token-id stop sequences are accepted and ignored. */
  stop: string[];
}

export function parseOutputLimits({
  parameters,
  facts,
}: {
  parameters: Readonly<Record<string, unknown>>;
  facts: ModelFacts;
}): OutputLimits {
  const honoursCompletionTokens = facts.outputLimitParameter === 'max_completion_tokens';
  return {
    maxTokens: parseMaxTokens('max_tokens', parameters.max_tokens, facts.maxOutputTokens),
    maxCompletionTokens: honoursCompletionTokens
      ? parseMaxTokens('max_completion_tokens', parameters.max_completion_tokens, facts.maxOutputTokens)
      : undefined,
    stop: parseStop(parameters.stop),
  };
}

function parseMaxTokens(name: string, value: unknown, largest: number | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidParameter(`Parameter "${name}" must be an integer greater than 0.`);
  }
  // DashScope's wording for a cap above the model's largest output (farui-plus: 2 000).
  if (largest !== undefined && value > largest) throw invalidParameter(`Range of ${name} should be [1, ${largest}]`);
  return value;
}

// `stop` may be a string, a list of strings, or token ids (protocol §3.2); only strings can be
// honoured without a tokenizer, token ids are ignored.
function parseStop(value: unknown): string[] {
  if (typeof value === 'string') return value.length > 0 ? [value] : [];
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is string => typeof item === 'string' && item.length > 0);
}
