import { DASHSCOPE_PATHS } from '../dashscope/dashscope-paths.js';
import { moveParameters } from '../parameters/parameter-table.js';
import type { DashScopeEmbeddingParameters, DashScopeEmbeddingRequest } from './dashscope-embedding-request.js';
import { embeddingDimensionForModel } from './embedding-dimension-for-model.js';
import { embeddingParameterTable } from './embedding-parameter-table.js';
import type { EmbeddingRequest } from './embedding-request-schema.js';
import { embeddingTextsPerCall } from './embedding-texts-per-call.js';

export interface DashScopeEmbeddingCall {
  path: string;
  /** One body per part, in input order; each holds at most the model's texts per call. */
  bodies: DashScopeEmbeddingRequest[];
}

/**
 * A validated OpenAI embeddings request → the native bodies that embed its inputs: DashScope caps the
 * texts per call (10 on v3/v4, 25 on v1/v2), while OpenAI takes up to 2048, so a longer input is split
 * into consecutive parts with the same model and parameters.
 */
export function toDashScopeEmbeddingRequests({ request }: { request: EmbeddingRequest }): DashScopeEmbeddingCall {
  const texts = typeof request.input === 'string' ? [request.input] : request.input;
  const parameters = toDashScopeEmbeddingParameters(request);
  const textsPerCall = embeddingTextsPerCall(request.model);
  const bodies: DashScopeEmbeddingRequest[] = [];
  for (let start = 0; start < texts.length; start += textsPerCall) {
    const body: DashScopeEmbeddingRequest = { model: request.model, input: { texts: texts.slice(start, start + textsPerCall) } };
    // A copy per part: the parts are sent (and may be logged or retried) independently.
    if (parameters !== undefined) body.parameters = { ...parameters };
    bodies.push(body);
  }
  return { path: DASHSCOPE_PATHS.textEmbedding, bodies };
}

function toDashScopeEmbeddingParameters(request: EmbeddingRequest): DashScopeEmbeddingParameters | undefined {
  const target: { parameters?: DashScopeEmbeddingParameters } = {};
  moveParameters({ table: embeddingParameterTable, request, target });
  const dimension = embeddingDimensionForModel({ model: request.model, dimensions: request.dimensions });
  if (dimension !== undefined) target.parameters = { ...target.parameters, dimension };
  return target.parameters;
}
