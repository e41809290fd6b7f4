import { GatewayError } from '../errors/gateway-error.js';
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

function toOpenAIModel(model: CatalogueModel): OpenAIModel {
  return { id: model.id, object: 'model', created: model.created, owned_by: 'alibaba-cloud' };
}

/** Every catalogue model, in catalogue order: farui-plus first, then the chat, vision and embedding models. */
export function listModels(): OpenAIModelList {
  return { object: 'list', data: MODEL_CATALOGUE.map(toOpenAIModel) };
}

/** The model with that id, or a 404 `model_not_found` as OpenAI answers. */
export function retrieveModel(id: string): OpenAIModel {
  const model = findCatalogueModel(id);
  if (model === undefined) {
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
