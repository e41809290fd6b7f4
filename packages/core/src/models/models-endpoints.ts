import type { LocalEndpoint } from '../endpoints/gateway-endpoint.js';
import { listModels, retrieveModel } from './model-catalogue.js';

/** GET /v1/models: the catalogue (DashScope's native API has no model list to forward to). */
export const listModelsEndpoint: LocalEndpoint = {
  kind: 'local',
  id: 'models.list',
  method: 'GET',
  path: '/models',
  answer: () => listModels(),
};

/** GET /v1/models/{model} */
export const retrieveModelEndpoint: LocalEndpoint = {
  kind: 'local',
  id: 'models.retrieve',
  method: 'GET',
  path: '/models/:model',
  answer: (params) => retrieveModel(params.model ?? ''),
};
