import { countTextTokens } from './count-text-tokens.js';
import { embedText } from './embed-text.js';
import type { EmbeddingRequest } from './parse-embedding-request.js';

/** The JSON of text-embedding-nosse: embeddings in input order with `text_index`, usage with total_tokens only. */
export function buildEmbeddingBody({ request, requestId }: { request: EmbeddingRequest; requestId: string }): string {
  const embeddings = request.texts.map((text, index) => ({
    embedding: embedText({ text, dimension: request.dimension }),
    text_index: index,
  }));
  const totalTokens = request.texts.reduce((sum, text) => sum + Math.max(1, countTextTokens(text)), 0);
  return JSON.stringify({ output: { embeddings }, usage: { total_tokens: totalTokens }, request_id: requestId });
}
