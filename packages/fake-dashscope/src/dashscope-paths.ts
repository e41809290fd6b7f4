// The three native endpoints the fake serves (protocol §1.1). Every other path answers InvalidURL,
// as the real service does.
export const DASHSCOPE_PATHS = {
  textGeneration: '/api/v1/services/aigc/text-generation/generation',
  multimodalGeneration: '/api/v1/services/aigc/multimodal-generation/generation',
  textEmbedding: '/api/v1/services/embeddings/text-embedding/text-embedding',
} as const;
