import { DASHSCOPE_PATH_BY_KIND, type DashScopeEndpointKind } from '@gw/core';

// The three native endpoints the fake serves (protocol §1.1), and the request parsers of each: the
// property tests read requests through this module, so the parsers are re-exported here.

export { catalogueModelIds, type ModelCatalog } from './requests/resolve-model.js';
export { parseGenerationRequest } from './requests/parse-generation-request.js';
export { parseEmbeddingRequest, type EmbeddingRequest } from './requests/parse-embedding-request.js';
export type { GenerationEndpoint, GenerationRequest } from './requests/generation-request.js';

// Every other path answers InvalidURL, as the real service does.
const ENDPOINTS_BY_PATH = new Map(Object.entries(DASHSCOPE_PATH_BY_KIND).map(([kind, path]) => [path, kind as DashScopeEndpointKind]));

/** The native endpoint a request targets; only POST counts, the query string is ignored. */
export function matchEndpoint({ method, url }: { method: string; url: string }): DashScopeEndpointKind | undefined {
  if (method !== 'POST') return undefined;
  const queryStart = url.indexOf('?');
  const pathname = queryStart === -1 ? url : url.slice(0, queryStart);
  return ENDPOINTS_BY_PATH.get(pathname);
}
