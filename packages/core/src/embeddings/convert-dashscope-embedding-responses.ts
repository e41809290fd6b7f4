import { dashScopeErrorFromBody } from '../errors/dashscope-error-from-body.js';
import { badUpstreamResponse } from '../errors/upstream-transport-error.js';
import { dashScopeEmbeddingResponseSchema } from './dashscope-embedding-response-schema.js';
import type { Embedding, EmbeddingEncodingFormat, EmbeddingResponse } from './embedding-response-types.js';
import { encodeEmbeddingBase64 } from './encode-embedding-base64.js';

export interface ConvertDashScopeEmbeddingResponsesOptions {
  /** The parsed 200 bodies of the parts, in the order they were sent. */
  responses: readonly unknown[];
  /** How many texts each part sent: its answer must hold exactly that many embeddings. */
  textCounts: readonly number[];
  /** The model as the client named it. */
  model: string;
  encodingFormat: EmbeddingEncodingFormat;
}

export interface ConvertedEmbeddingResponses {
  response: EmbeddingResponse;
  /** The first part's `request_id`, for support. */
  requestId: string | undefined;
}

/**
 * The native replies of one request's parts → one OpenAI embedding list. Each part's `text_index` counts
 * from 0 within the part, so it is offset by the part's start: the merged `index` runs 0..n-1 in input
 * order. Throws a GatewayError for an error body, and a bad_upstream_response for an answer that does not
 * embed each text of its part exactly once.
 */
export function convertDashScopeEmbeddingResponses({
  responses,
  textCounts,
  model,
  encodingFormat,
}: ConvertDashScopeEmbeddingResponsesOptions): ConvertedEmbeddingResponses {
  if (responses.length !== textCounts.length) {
    throw badUpstreamResponse(`expected ${textCounts.length} embedding answers, got ${responses.length}`);
  }
  const data: Embedding[] = [];
  let totalTokens = 0;
  // Every vector of one answer has the model's one size: a part that disagrees answered something else.
  let dimension: number | undefined;
  let requestId: string | undefined;
  responses.forEach((response, part) => {
    const start = data.length;
    const textCount = textCounts[part] as number;
    const parsed = dashScopeEmbeddingResponseSchema.safeParse(response);
    if (!parsed.success) throw badUpstreamResponse('unexpected JSON shape');
    const body = parsed.data;
    // An error body that came with a 200 status; a non-200 reply never gets here (the HTTP layer maps it).
    if (body.code !== undefined && body.code !== '') throw dashScopeErrorFromBody({ body, status: 500 });
    const embeddings = body.output?.embeddings;
    if (embeddings === undefined) throw badUpstreamResponse('no output.embeddings');
    if (embeddings.length !== textCount) {
      throw badUpstreamResponse(`${embeddings.length} embeddings for ${textCount} texts`);
    }
    data.length = start + textCount;
    for (const { text_index: textIndex, embedding } of embeddings) {
      if (!Number.isSafeInteger(textIndex) || (textIndex as number) < 0 || (textIndex as number) >= textCount) {
        throw badUpstreamResponse(`text_index ${JSON.stringify(textIndex) ?? '(missing)'} outside 0..${textCount - 1}`);
      }
      const index = start + (textIndex as number);
      if (data[index] !== undefined) throw badUpstreamResponse(`text_index ${String(textIndex)} answered twice`);
      if (!isVector(embedding)) throw badUpstreamResponse(`the embedding of text_index ${String(textIndex)} is not an array of numbers`);
      dimension ??= embedding.length;
      if (embedding.length === 0 || embedding.length !== dimension) {
        throw badUpstreamResponse(`embeddings of ${dimension} and ${embedding.length} numbers in one answer`);
      }
      // float32 is what base64 carries: a value beyond it would arrive as Infinity.
      if (encodingFormat === 'base64' && !fitsFloat32(embedding)) {
        throw badUpstreamResponse(`the embedding of text_index ${String(textIndex)} holds values beyond float32`);
      }
      data[index] = { object: 'embedding', index, embedding: encodingFormat === 'base64' ? encodeEmbeddingBase64(embedding) : embedding };
    }
    const tokens = body.usage?.total_tokens ?? 0;
    if (!Number.isSafeInteger(tokens) || tokens < 0) throw badUpstreamResponse(`usage.total_tokens ${String(tokens)} is not a count`);
    totalTokens += tokens;
    if (part === 0 && body.request_id !== '') requestId = body.request_id;
  });
  // DashScope reports input tokens as total_tokens only: an embedding has no output tokens.
  return { response: { object: 'list', data, model, usage: { prompt_tokens: totalTokens, total_tokens: totalTokens } }, requestId };
}

function isVector(value: unknown): value is number[] {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== 'number' || !Number.isFinite(item)) return false;
  return true;
}

const FLOAT32_MAX = 3.4028234663852886e38;

function fitsFloat32(vector: readonly number[]): boolean {
  for (const value of vector) if (value > FLOAT32_MAX || value < -FLOAT32_MAX) return false;
  return true;
}
