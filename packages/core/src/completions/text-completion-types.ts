import type { CompletionUsage } from '../openai/chat-response-types.js';

/** The legacy completion's finish reasons: it has no tools, so never "tool_calls". */
export type TextCompletionFinishReason = 'stop' | 'length' | 'content_filter';

export interface TextCompletionChoice {
  text: string;
  index: number;
  /** Always null: the gateway refuses the legacy `logprobs` parameter. */
  logprobs: null;
  finish_reason: TextCompletionFinishReason;
}

/** OpenAI's `text_completion` (CreateCompletionResponse), the answer to POST /v1/completions. */
export interface TextCompletion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: TextCompletionChoice[];
  usage: CompletionUsage;
}

/** A stream chunk: the same object, with `finish_reason` null until a choice finishes. */
export interface TextCompletionChunkChoice extends Omit<TextCompletionChoice, 'finish_reason'> {
  finish_reason: TextCompletionFinishReason | null;
}

/**
 * One streamed part. `usage` only on the last chunk (with `choices: []`), when the client asked for it
 * with `stream_options.include_usage`; the other chunks carry none (OpenAI's schema has no null usage).
 */
export interface TextCompletionChunk {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: TextCompletionChunkChoice[];
  usage?: CompletionUsage;
}
