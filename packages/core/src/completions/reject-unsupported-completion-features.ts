import { isRecord } from '../dashscope/is-record.js';
import { invalidRequest } from '../errors/gateway-error.js';

const unsupported = (message: string, param: string) => invalidRequest(message, { param, code: 'unsupported_parameter' });

/**
 * What the gateway cannot translate, judged on the raw body before the strict schema would call it
 * malformed: token-array prompts (DashScope takes text, and the gateway has no tokenizer for its models)
 * and a non-empty `logit_bias` (as a parsed record, a "__proto__" key would vanish and pass as empty).
 */
export function rejectUnsupportedCompletionFeatures(body: Record<string, unknown>): void {
  const prompt = body.prompt;
  // OpenAI tells token arrays apart by their first element: a number (one prompt) or an array (several).
  if (Array.isArray(prompt) && (typeof prompt[0] === 'number' || Array.isArray(prompt[0]))) {
    throw unsupported(
      "Unsupported value for 'prompt': token arrays are not supported, DashScope takes text; send the prompt as a string.",
      'prompt',
    );
  }
  if (isRecord(body.logit_bias) && Reflect.ownKeys(body.logit_bias).length > 0) {
    throw unsupported("Unsupported value for 'logit_bias': DashScope has no logit bias.", 'logit_bias');
  }
}
