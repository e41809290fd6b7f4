/** DashScope's native text-generation request (POST /api/v1/services/aigc/text-generation/generation). */

export interface DashScopeMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
  name?: string;
}

export interface DashScopeParameters {
  /** Always "message": the OpenAI-like `output.choices` shape (DashScope's default is "text"). */
  result_format: 'message';
  /** Streams only: each event carries new text only, so the gateway never diffs cumulative text. */
  incremental_output?: true;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string | string[];
  seed?: number;
  presence_penalty?: number;
}

export interface DashScopeTextGenerationRequest {
  model: string;
  input: { messages: DashScopeMessage[] };
  parameters: DashScopeParameters;
}

export const DASHSCOPE_TEXT_GENERATION_PATH = '/api/v1/services/aigc/text-generation/generation';
