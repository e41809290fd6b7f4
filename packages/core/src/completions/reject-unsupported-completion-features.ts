import { rejectLogitBias } from '../chat/reject-unsupported-features.js';
import { holdsTokenIds } from '../endpoints/check-text-list-limits.js';
import { invalidRequest } from '../errors/gateway-error.js';

const unsupported = (message: string, param: string) => invalidRequest(message, { param, code: 'unsupported_parameter' });

/**
 * What the gateway cannot translate, judged on the raw body before the strict schema would call it
 * malformed: token-array prompts (DashScope takes text, and the gateway has no tokenizer for its models)
 * and a non-empty `logit_bias` (as a parsed record, a "__proto__" key would vanish and pass as empty).
 */
export function rejectUnsupportedCompletionFeatures(body: Record<string, unknown>): void {
  if (holdsTokenIds(body.prompt)) {
    throw unsupported(
      "Unsupported value for 'prompt': token arrays are not supported, DashScope takes text; send the prompt as a string.",
      'prompt',
    );
  }
  rejectLogitBias(body);
}
