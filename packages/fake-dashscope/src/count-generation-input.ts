import { countTextTokens } from './count-text-tokens.js';
import type { GenerationRequest } from './parse-generation-request.js';

// A fixed per-image cost; real image tokens depend on resolution (1247 and 3577 in the recordings).
const TOKENS_PER_IMAGE = 256;

/** Input-side usage: text tokens of all messages (at least 1) plus image tokens. */
export function countGenerationInput(request: Pick<GenerationRequest, 'inputTexts' | 'imageCount'>): {
  inputTokens: number;
  imageTokens: number;
} {
  const textTokens = Math.max(
    1,
    request.inputTexts.reduce((sum, text) => sum + countTextTokens(text), 0),
  );
  const imageTokens = request.imageCount * TOKENS_PER_IMAGE;
  return { inputTokens: textTokens + imageTokens, imageTokens };
}
