import type { UpstreamEndpoint } from '../endpoints/gateway-endpoint.js';
import type { CallSummary } from '../endpoints/upstream-call.js';
import { convertDashScopeEmbeddingResponses } from './convert-dashscope-embedding-responses.js';
import { embeddingRequestSchema, type EmbeddingRequest } from './embedding-request-schema.js';
import { parseEmbeddingRequest } from './parse-embedding-request.js';
import { toDashScopeEmbeddingRequests } from './to-dashscope-embedding-requests.js';

/**
 * POST /v1/embeddings → DashScope's text-embedding endpoint: one call, or a batch of calls when the input
 * holds more texts than the model embeds at once.
 */
export const embeddingsEndpoint: UpstreamEndpoint<EmbeddingRequest> = {
  kind: 'upstream',
  id: 'embeddings.create',
  method: 'POST',
  path: '/embeddings',
  requestSchema: embeddingRequestSchema,
  parse: parseEmbeddingRequest,
  prepare(request) {
    const { model } = request;
    const { path, bodies } = toDashScopeEmbeddingRequests({ request });
    const textCounts = bodies.map((body) => body.input.texts.length);
    const encodingFormat = request.encoding_format ?? 'float';
    // The HTTP layer hands over 200 answers only: a part that fails with a non-200 fails the call before this runs.
    const convertResponses = (responses: readonly unknown[]): { body: unknown; summary: CallSummary } => {
      const { response, requestId } = convertDashScopeEmbeddingResponses({ responses, textCounts, model, encodingFormat });
      return { body: response, summary: { usage: response.usage, finishReason: undefined, requestId } };
    };
    if (bodies.length === 1) {
      return { kind: 'json', path, body: bodies[0], model, convertResponse: (response) => convertResponses([response]) };
    }
    return { kind: 'batch', path, body: bodies[0], bodies, model, convertResponses };
  },
};
