/**
 * DashScope's native generation request, for the text-generation and multimodal-generation endpoints
 * (see DASHSCOPE_PATHS). Text models take `content` as a string; multimodal models as a list of items.
 */

export type DashScopeContentItem = { text: string } | { image: string };

export interface DashScopeMessage {
  role: 'system' | 'user' | 'assistant';
  content: string | DashScopeContentItem[];
  name?: string;
}

export interface DashScopeParameters {
  /** "message": the OpenAI-like `output.choices` shape (text models default to "text"). */
  result_format?: 'message';
  /** Streams only: each event carries new text only, so the gateway never diffs cumulative text. */
  incremental_output?: true;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string | string[];
  seed?: number;
  presence_penalty?: number;
}

export interface DashScopeGenerationRequest {
  model: string;
  input: { messages: DashScopeMessage[] };
  parameters: DashScopeParameters;
}
