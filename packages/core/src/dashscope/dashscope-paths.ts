/**
 * DashScope's native endpoints (shared/dashscope-protocol.md §1.1), below the base URL. The one place
 * these paths are written: the gateway's endpoint table and the fake DashScope both read them here.
 */
export const DASHSCOPE_PATHS = {
  textGeneration: '/api/v1/services/aigc/text-generation/generation',
  multimodalGeneration: '/api/v1/services/aigc/multimodal-generation/generation',
  textEmbedding: '/api/v1/services/embeddings/text-embedding/text-embedding',
} as const;

/** Which native endpoint serves a model. */
export type DashScopeEndpointKind = 'text-generation' | 'multimodal-generation' | 'text-embedding';

export const DASHSCOPE_PATH_BY_KIND: Readonly<Record<DashScopeEndpointKind, string>> = {
  'text-generation': DASHSCOPE_PATHS.textGeneration,
  'multimodal-generation': DASHSCOPE_PATHS.multimodalGeneration,
  'text-embedding': DASHSCOPE_PATHS.textEmbedding,
};
