import { isRecord } from '../is-record.js';
import { modelFacts } from '../model-facts.js';
import { DashScopeError, invalidParameter } from '../wire-format.js';
import { resolveModel, type ModelCatalog } from './resolve-model.js';

export interface EmbeddingRequest {
  model: string;
  texts: string[];
  dimension: number;
}

/** Validates a text-embedding body against the model's catalogue limits (protocol §8); throws DashScopeError. */
export function parseEmbeddingRequest({ body, catalog }: { body: unknown; catalog: ModelCatalog }): EmbeddingRequest {
  const model = resolveModel({ body, endpoint: 'text-embedding', catalog });
  const input = isRecord(body) ? body.input : undefined;
  if (!isRecord(input) || input.texts === undefined || input.texts === null) {
    throw new DashScopeError({
      status: 400,
      code: 'BadRequest.EmptyInput',
      message: 'Required input parameter missing from request.',
    });
  }
  const { texts } = input;
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((text) => typeof text === 'string' && text.length > 0)) {
    throw invalidParameter('Parameter "input.texts" must be a non-empty list of non-empty strings.');
  }
  const limits = modelFacts(model).embedding;
  if (texts.length > limits.maxTextsPerCall) {
    throw invalidParameter(`Value error, batch size is invalid, it should not be larger than ${limits.maxTextsPerCall}.: input.contents`);
  }
  const parameters = isRecord(body) && isRecord(body.parameters) ? body.parameters : {};
  const [defaultDimension = 1024] = limits.dimensions;
  return {
    model,
    texts: texts as string[],
    // Models without a choice (v1/v2) ignore `dimension` and answer their one size.
    dimension: limits.dimensionSelectable
      ? parseDimension({ model, value: parameters.dimension, allowed: limits.dimensions, defaultDimension })
      : defaultDimension,
  };
}

function parseDimension({
  model,
  value,
  allowed,
  defaultDimension,
}: {
  model: string;
  value: unknown;
  allowed: readonly number[];
  defaultDimension: number;
}): number {
  if (value === undefined || value === null) return defaultDimension;
  if (typeof value !== 'number' || !allowed.includes(value)) {
    throw invalidParameter(`Parameter "dimension" must be one of ${allowed.join(', ')} for ${model}.`);
  }
  return value;
}
