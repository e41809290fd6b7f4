import { findCatalogueModel } from '../models/model-catalogue.js';

/** v3/v4's documented per-call limit, the smaller of the two (v1/v2 take 25): safe for a model the catalogue lacks. */
const UNKNOWN_MODEL_TEXTS_PER_CALL = 10;

/** Most texts DashScope embeds in one call for a model; more are sent in parts. */
export function embeddingTextsPerCall(model: string): number {
  return findCatalogueModel(model)?.embedding?.maxTextsPerCall ?? UNKNOWN_MODEL_TEXTS_PER_CALL;
}
