import { createHash } from 'node:crypto';
import type { EmbeddingRequest } from '../requests/parse-embedding-request.js';
import { countTextTokens } from './answer-text.js';

/**
 * A deterministic unit-length vector derived from SHA-256 of the text: equal texts get equal
 * vectors, different texts different ones, and values fall in the same small range as real
 * DashScope embeddings (which are L2-normalised).
 */
function embedText({ text, dimension }: { text: string; dimension: number }): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimension; block += 1) {
    const digest = createHash('sha256').update(`${block}\u0000${text}`).digest();
    for (let offset = 0; offset + 4 <= digest.length && values.length < dimension; offset += 4) {
      values.push((digest.readUInt32BE(offset) / 0xffffffff) * 2 - 1);
    }
  }
  const norm = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0)) || 1;
  return values.map((value) => value / norm);
}

/** The JSON of text-embedding-nosse: embeddings in input order with `text_index`, usage with total_tokens only. */
export function buildEmbeddingBody({ request, requestId }: { request: EmbeddingRequest; requestId: string }): string {
  const embeddings = request.texts.map((text, index) => ({
    embedding: embedText({ text, dimension: request.dimension }),
    text_index: index,
  }));
  const totalTokens = request.texts.reduce((sum, text) => sum + Math.max(1, countTextTokens(text)), 0);
  return JSON.stringify({ output: { embeddings }, usage: { total_tokens: totalTokens }, request_id: requestId });
}
