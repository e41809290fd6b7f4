import { MODEL_CATALOGUE, type DashScopeEndpointKind } from '@gw/core';
import { isRecord } from '../is-record.js';
import { DashScopeError, invalidParameter } from '../wire-format.js';

/**
 * Which models each native endpoint serves. The sets decide which path accepts which model, like
 * DashScope's own routing (a text model on the multimodal path fails, and vice versa).
 */
export type ModelCatalog = Readonly<Record<DashScopeEndpointKind, ReadonlySet<string>>>;

/** The models @gw/core's catalogue routes to an endpoint: what the fake serves unless told otherwise. */
export function catalogueModelIds(endpoint: DashScopeEndpointKind): string[] {
  return MODEL_CATALOGUE.filter((model) => model.endpoint === endpoint).map((model) => model.id);
}

/**
 * The request's model, checked against the endpoint it was sent to. An unknown model is the native
 * API's 400 "Model not exist." (protocol §6.2); a known model on the wrong path gets the
 * `url error` message DashScope answers in that case (protocol §1.1 notes).
 */
export function resolveModel({
  body,
  endpoint,
  catalog,
}: {
  body: unknown;
  endpoint: DashScopeEndpointKind;
  catalog: ModelCatalog;
}): string {
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

/** The body's `input` object, or DashScope's error for a body without one. */
export function requireInput(body: unknown): Record<string, unknown> {
  const input = isRecord(body) ? body.input : undefined;
  if (!isRecord(input)) {
    throw new DashScopeError({ status: 400, code: 'BadRequest.EmptyInput', message: 'Required input parameter missing from request.' });
  }
  return input;
}
