import { assertModelForEndpoint } from './assert-model-for-endpoint.js';
import { DashScopeError, invalidParameter } from './dashscope-error.js';
import { isRecord } from './is-record.js';
import type { ModelCatalog } from './model-catalog.js';

export interface EmbeddingRequest {
  model: string;
  texts: string[];
  dimension: number;
}

// Limits from DOC-EMB (protocol §8): v1/v2 take 25 texts and always return 1536 dimensions;
// newer models take 10 texts and a chosen `dimension` (singular), 1024 by default.
const LEGACY_MODEL = /-v[12]$/;
const LEGACY = { maxTexts: 25, dimension: 1536 } as const;
const CURRENT = { maxTexts: 10, defaultDimension: 1024 } as const;
const V3_DIMENSIONS = [1024, 768, 512, 256, 128, 64];
const V4_DIMENSIONS = [2048, 1536, 1024, 768, 512, 256, 128, 64];

/** Validates a text-embedding body; throws DashScopeError. */
export function parseEmbeddingRequest({ body, catalog }: { body: unknown; catalog: ModelCatalog }): EmbeddingRequest {
  const model = assertModelForEndpoint({ body, endpoint: 'text-embedding', catalog });
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
  const legacy = LEGACY_MODEL.test(model);
  const maxTexts = legacy ? LEGACY.maxTexts : CURRENT.maxTexts;
  if (texts.length > maxTexts) {
    throw invalidParameter(`Value error, batch size is invalid, it should not be larger than ${maxTexts}.: input.contents`);
  }
  const parameters = isRecord(body) && isRecord(body.parameters) ? body.parameters : {};
  return {
    model,
    texts: texts as string[],
    dimension: legacy ? LEGACY.dimension : parseDimension({ model, value: parameters.dimension }),
  };
}

function parseDimension({ model, value }: { model: string; value: unknown }): number {
  if (value === undefined || value === null) return CURRENT.defaultDimension;
  const allowed = model.endsWith('-v4') ? V4_DIMENSIONS : V3_DIMENSIONS;
  if (typeof value !== 'number' || !allowed.includes(value)) {
    throw invalidParameter(`Parameter "dimension" must be one of ${allowed.join(', ')} for ${model}.`);
  }
  return value;
}
