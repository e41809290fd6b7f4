import { DashScopeError, invalidParameter } from './dashscope-error.js';
import { isRecord } from './is-record.js';
import type { Endpoint } from './match-endpoint.js';
import type { ModelCatalog } from './model-catalog.js';

/**
 * The request's model, checked against the endpoint it was sent to. An unknown model is the native
 * API's 400 "Model not exist." (protocol §6.2); a known model on the wrong path gets the
 * `url error` message DashScope answers in that case (protocol §1.1 notes).
 */
export function assertModelForEndpoint({ body, endpoint, catalog }: { body: unknown; endpoint: Endpoint; catalog: ModelCatalog }): string {
  const model = isRecord(body) ? body.model : undefined;
  if (model === undefined || model === null || model === '') {
    throw new DashScopeError({
      status: 400,
      code: 'BadRequest.EmptyModel',
      message: 'Required parameter "model" missing from request.',
    });
  }
  if (typeof model !== 'string') throw invalidParameter('Parameter "model" must be a string.');
  if (catalog[endpoint].has(model)) return model;
  const servedElsewhere = Object.values(catalog).some((models) => models.has(model));
  throw invalidParameter(servedElsewhere ? 'url error, please check url！' : 'Model not exist.');
}
