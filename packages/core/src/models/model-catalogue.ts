import { GatewayError } from '../errors/gateway-error.js';
import type { DashScopeEndpointKind } from '../dashscope/dashscope-paths.js';

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

/** One DashScope model the gateway knows: which native endpoint serves it, and when it appeared. */
export interface CatalogueModel {
  id: string;
  endpoint: DashScopeEndpointKind;
  /** Unix seconds. */
  created: number;
}

const JANUARY_2024 = 1_704_067_200;
const APRIL_2025 = 1_743_465_600;

/**
 * The one list of models: `/v1/models` reads it, the chat endpoint routes by it (a multimodal model
 * goes to the multimodal endpoint), and the fake DashScope serves exactly these. farui-plus first, as
 * the original product listed it. A model missing here is still passed to DashScope, which decides.
 */
export const MODEL_CATALOGUE: readonly CatalogueModel[] = [
  { id: 'farui-plus', endpoint: 'text-generation', created: JANUARY_2024 },
  { id: 'qwen-plus', endpoint: 'text-generation', created: JANUARY_2024 },
  { id: 'qwen-max', endpoint: 'text-generation', created: JANUARY_2024 },
  { id: 'qwen-turbo', endpoint: 'text-generation', created: JANUARY_2024 },
  { id: 'qwen-flash', endpoint: 'text-generation', created: APRIL_2025 },
  { id: 'qwen-long', endpoint: 'text-generation', created: JANUARY_2024 },
  { id: 'qwen3-max', endpoint: 'text-generation', created: APRIL_2025 },
  { id: 'qwen-plus-latest', endpoint: 'text-generation', created: APRIL_2025 },
  { id: 'qwen-vl-plus', endpoint: 'multimodal-generation', created: JANUARY_2024 },
  { id: 'qwen-vl-max', endpoint: 'multimodal-generation', created: JANUARY_2024 },
  { id: 'qwen3-vl-plus', endpoint: 'multimodal-generation', created: APRIL_2025 },
  { id: 'text-embedding-v1', endpoint: 'text-embedding', created: JANUARY_2024 },
  { id: 'text-embedding-v2', endpoint: 'text-embedding', created: JANUARY_2024 },
  { id: 'text-embedding-v3', endpoint: 'text-embedding', created: APRIL_2025 },
  { id: 'text-embedding-v4', endpoint: 'text-embedding', created: APRIL_2025 },
];

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
