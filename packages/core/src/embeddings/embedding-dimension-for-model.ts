import { invalidRequest } from '../errors/gateway-error.js';
import { findCatalogueModel } from '../models/model-catalogue.js';

/**
 * The `parameters.dimension` to send for a client's `dimensions`, or undefined to send none. text-embedding-v1
 * and v2 ignore `dimension` and always answer their one size, so any other value would silently come
 * back as 1536 floats: a 400 instead, and the value that changes nothing is dropped. Models that take a
 * choice, and models the gateway does not know, get the value as asked: DashScope judges it.
 */
export function embeddingDimensionForModel({
  model,
  dimensions,
}: {
  model: string;
  dimensions: number | null | undefined;
}): number | undefined {
  if (dimensions == null) return undefined;
  const limits = findCatalogueModel(model)?.embedding;
  if (limits === undefined || limits.dimensionSelectable) return dimensions;
  if (limits.dimensions.length === 1 && limits.dimensions[0] === dimensions) return undefined;
  throw invalidRequest(
    `Unsupported value for 'dimensions': the model '${model}' always answers ${limits.dimensions.join(' or ')} dimensions and cannot change it; omit 'dimensions' or use text-embedding-v3 or v4.`,
    { param: 'dimensions', code: 'unsupported_parameter' },
  );
}
