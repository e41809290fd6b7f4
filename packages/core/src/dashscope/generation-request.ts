/**
 * DashScope's native generation request, for the text-generation and multimodal-generation endpoints
 * (see DASHSCOPE_PATHS). Text models take `content` as a string; multimodal models as a list of items,
 * each with exactly one modality key (protocol §7).
 */

export type DashScopeContentItem = { text: string } | { image: string } | { audio: string } | { video: string | string[] };

export interface DashScopeToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  index: number;
}

export interface DashScopeMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | DashScopeContentItem[];
  name?: string;
  /** Assistant turns that called tools. */
  tool_calls?: DashScopeToolCall[];
  /** Tool turns: the call they answer. */
  tool_call_id?: string;
  /** Assistant turns: the thinking that came with them. */
  reasoning_content?: string;
}

export interface DashScopeParameters {
  /** "message": the OpenAI-like `output.choices` shape (text models default to "text"). */
  result_format?: 'message';
  /** Streams only: each event carries new text only, so the gateway never diffs cumulative text. */
  incremental_output?: true;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string | string[];
  seed?: number;
  presence_penalty?: number;
  repetition_penalty?: number;
  n?: number;
  logprobs?: boolean;
  top_logprobs?: number;
  response_format?: Record<string, unknown>;
  tools?: unknown[];
  tool_choice?: 'auto' | 'none' | { type: 'function'; function: { name: string } };
  parallel_tool_calls?: boolean;
  enable_thinking?: boolean;
  thinking_budget?: number;
  enable_search?: boolean;
  search_options?: Record<string, unknown>;
  vl_high_resolution_images?: boolean;
}

export interface DashScopeGenerationRequest {
  model: string;
  input: { messages: DashScopeMessage[] };
  parameters: DashScopeParameters;
}
