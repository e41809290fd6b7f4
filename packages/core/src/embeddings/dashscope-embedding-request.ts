/** The native text-embedding request body (protocol §8), as recorded: `text-embedding-nosse.request.body.json`. */
export interface DashScopeEmbeddingRequest {
  model: string;
  input: { texts: string[] };
  /** Sent only with what the client asked for: DashScope's defaults apply otherwise. */
  parameters?: DashScopeEmbeddingParameters;
}

export interface DashScopeEmbeddingParameters {
  /** Singular, unlike OpenAI's `dimensions`; v3/v4 only. */
  dimension?: number;
  text_type?: 'query' | 'document';
  instruct?: string;
}
