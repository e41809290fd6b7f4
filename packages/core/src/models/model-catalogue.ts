import { GatewayError } from '../errors/gateway-error.js';

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

/** The models the gateway advertises, farui-plus first, as the original product did. */
const catalogue: readonly OpenAIModel[] = [
  { id: 'farui-plus', object: 'model', created: 1_704_067_200, owned_by: 'alibaba-cloud' },
  { id: 'qwen-plus', object: 'model', created: 1_704_067_200, owned_by: 'alibaba-cloud' },
  { id: 'qwen-max', object: 'model', created: 1_704_067_200, owned_by: 'alibaba-cloud' },
  { id: 'qwen-turbo', object: 'model', created: 1_704_067_200, owned_by: 'alibaba-cloud' },
];

export function listModels(): OpenAIModelList {
  return { object: 'list', data: catalogue.map((model) => ({ ...model })) };
}

/** The model with that id, or a 404 `model_not_found` as OpenAI answers. */
export function retrieveModel(id: string): OpenAIModel {
  const model = catalogue.find((candidate) => candidate.id === id);
  if (model === undefined) {
    throw new GatewayError({
      status: 404,
      type: 'invalid_request_error',
      code: 'model_not_found',
      param: 'model',
      message: `The model '${id}' does not exist.`,
    });
  }
  return { ...model };
}
