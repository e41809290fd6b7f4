/** OpenAI's `CreateEmbeddingResponse`. */
export interface EmbeddingResponse {
  object: 'list';
  data: Embedding[];
  /** The model as the client named it. */
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

export interface Embedding {
  object: 'embedding';
  /** The input's position in the request. */
  index: number;
  /** Floats, or with `encoding_format: "base64"` their little-endian float32 bytes in base64. */
  embedding: number[] | string;
}

export type EmbeddingEncodingFormat = 'float' | 'base64';
