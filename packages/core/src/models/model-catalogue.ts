import { GatewayError } from '../errors/gateway-error.js';
import type { DashScopeEndpointKind } from '../dashscope/dashscope-paths.js';
import { MODEL_CATALOGUE, type CatalogueModel } from './model-catalogue-entries.js';

export {
  MODEL_CATALOGUE,
  type CatalogueModel,
  type ModelCapabilities,
  type ThinkingMode,
  type EmbeddingLimits,
} from './model-catalogue-entries.js';

/** OpenAI's `Model` object. */
export interface OpenAIModel {
  id: string;
  object: 'model';
  /** Unix seconds: when the model became available on DashScope (OpenAI's meaning of `created`). */
  created: number;
  owned_by: string;
}

export interface OpenAIModelList {
  object: 'list';
  data: OpenAIModel[];
}

const modelsById = new Map(MODEL_CATALOGUE.map((model) => [model.id, model]));

/** The catalogue entry for a model id, if the gateway knows it. */
export function findCatalogueModel(id: string): CatalogueModel | undefined {
  return modelsById.get(id);
}

/** Endpoints that `/v1/models` advertises: the ones this gateway serves (chat, for now). */
const servedEndpoints: ReadonlySet<DashScopeEndpointKind> = new Set(['text-generation', 'multimodal-generation']);

function toOpenAIModel(model: CatalogueModel): OpenAIModel {
  return { id: model.id, object: 'model', created: model.created, owned_by: 'alibaba-cloud' };
}

export function listModels(): OpenAIModelList {
  return { object: 'list', data: MODEL_CATALOGUE.filter((model) => servedEndpoints.has(model.endpoint)).map(toOpenAIModel) };
}

/** The model with that id, or a 404 `model_not_found` as OpenAI answers. */
export function retrieveModel(id: string): OpenAIModel {
  const model = findCatalogueModel(id);
  if (model === undefined || !servedEndpoints.has(model.endpoint)) {
    throw new GatewayError({
      status: 404,
      type: 'invalid_request_error',
      code: 'model_not_found',
      param: 'model',
      message: `The model '${id}' does not exist.`,
    });
  }
  return toOpenAIModel(model);
}
