import { DASHSCOPE_PATHS } from './dashscope-paths.js';

export type Endpoint = 'text-generation' | 'multimodal-generation' | 'text-embedding';

const ENDPOINTS_BY_PATH = new Map<string, Endpoint>([
  [DASHSCOPE_PATHS.textGeneration, 'text-generation'],
  [DASHSCOPE_PATHS.multimodalGeneration, 'multimodal-generation'],
  [DASHSCOPE_PATHS.textEmbedding, 'text-embedding'],
]);

/** The native endpoint a request targets; only POST counts, the query string is ignored. */
export function matchEndpoint({ method, url }: { method: string; url: string }): Endpoint | undefined {
  if (method !== 'POST') return undefined;
  const queryStart = url.indexOf('?');
  const pathname = queryStart === -1 ? url : url.slice(0, queryStart);
  return ENDPOINTS_BY_PATH.get(pathname);
}
