import { holdsTokenIds } from '../endpoints/check-text-list-limits.js';
import { invalidRequest } from '../errors/gateway-error.js';

/**
 * OpenAI also takes `input` as token ids (an array of numbers, or an array of such arrays); DashScope
 * embeds text only and the gateway cannot detokenise, so say that rather than the schema's generic
 * "must be a string". Runs on the raw body after the input limits, so the array is bounded.
 */
export function rejectTokenInput(input: unknown): void {
  if (holdsTokenIds(input)) {
    throw invalidRequest("Unsupported value for 'input': token arrays are not supported; DashScope takes text only, so send strings.", {
      param: 'input',
      code: 'unsupported_parameter',
    });
  }
}
