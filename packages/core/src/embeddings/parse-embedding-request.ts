import { isRecord } from '../dashscope/is-record.js';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from '../endpoints/request-limits.js';
import { parseRequestBody } from '../openai/parse-request-body.js';
import type { GatewayWarning } from '../parameters/gateway-warning.js';
import { checkParameters } from '../parameters/parameter-table.js';
import { checkEmbeddingInputLimits } from './check-embedding-input-limits.js';
import { embeddingTextsPerCall } from './embedding-texts-per-call.js';
import { embeddingDimensionForModel } from './embedding-dimension-for-model.js';
import { embeddingParameterTable } from './embedding-parameter-table.js';
import { embeddingRequestSchema, type EmbeddingRequest } from './embedding-request-schema.js';
import { rejectTokenInput } from './reject-token-input.js';

export interface ParsedEmbeddingRequest {
  request: EmbeddingRequest;
  /** Inputs that were dropped, for the caller to log and surface (`x-gateway-warnings`). */
  warnings: GatewayWarning[];
}

/**
 * Validates a client's embeddings body; throws a 400 GatewayError naming the offending `param`. The
 * request limits are checked first, on the raw body, so an oversized one costs no schema walk.
 */
export function parseEmbeddingRequest(body: unknown, limits: RequestLimits = DEFAULT_REQUEST_LIMITS): ParsedEmbeddingRequest {
  if (isRecord(body)) {
    checkEmbeddingInputLimits({
      input: body.input,
      instruct: body.instruct,
      textsPerCall: embeddingTextsPerCall(typeof body.model === 'string' ? body.model : ''),
      limits,
    });
    rejectTokenInput(body.input);
  }
  const request = parseRequestBody({ schema: embeddingRequestSchema, body });
  const warnings = checkParameters({ table: embeddingParameterTable, request });
  embeddingDimensionForModel({ model: request.model, dimensions: request.dimensions });
  return { request, warnings };
}
