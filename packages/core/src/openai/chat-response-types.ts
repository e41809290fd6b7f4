/** The OpenAI response bodies the gateway produces (per OpenAI's OpenAPI document). */

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: {
      role: 'assistant';
      content: string | null;
      refusal: null;
      /** DashScope's thinking text (qwen3, deepseek-r1…), under the name those models' own APIs use. */
      reasoning_content?: string;
    };
    logprobs: null;
    finish_reason: FinishReason;
  }>;
  usage: CompletionUsage;
}

export interface ChatCompletionChunkDelta {
  role?: 'assistant';
  content?: string;
  refusal?: null;
  reasoning_content?: string;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: ChatCompletionChunkDelta;
    logprobs: null;
    finish_reason: FinishReason | null;
  }>;
  /** Only with `stream_options.include_usage`: null on every chunk but the last, which has `choices: []`. */
  usage?: CompletionUsage | null;
}
