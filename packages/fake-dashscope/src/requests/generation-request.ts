import type { DashScopeEndpointKind } from '@gw/core';
import type { Thinking } from './decide-thinking.js';
import type { MediaCounts } from './parse-content-items.js';
import type { MessageRole } from './parse-messages.js';
import type { ResponseFormat } from './parse-response-format.js';
import type { ToolChoice, ToolDefinition } from './parse-tool-parameters.js';

export type GenerationEndpoint = Exclude<DashScopeEndpointKind, 'text-embedding'>;

/** A validated text- or multimodal-generation request: everything the fake's answer depends on. */
export interface GenerationRequest {
  model: string;
  endpoint: GenerationEndpoint;
  /** Message shape of the answer: 'text' (output.text) or 'message' (output.choices). */
  resultFormat: 'text' | 'message';
  incrementalOutput: boolean;
  /** Whether the answer goes out as SSE. */
  streaming: boolean;
  /** `max_tokens`: caps the answer alone. */
  maxTokens: number | undefined;
  /** `max_completion_tokens`: caps reasoning and answer together; undefined when the model ignores it. */
  maxCompletionTokens: number | undefined;
  /** Stop strings; token-id stop sequences are accepted and ignored. */
  stop: string[];
  /** Every text of the conversation, for input token counting. */
  inputTexts: string[];
  /** The tool definitions as sent, counted as input like the prompt DashScope builds from them. */
  toolsText: string;
  media: MediaCounts;
  lastUserText: string;
  /** Role of the last message: tools are only called in answer to a user turn. */
  lastRole: MessageRole;
  /** The tool results that end the conversation, oldest first (empty unless it ends with tool messages). */
  trailingToolResults: string[];
  thinking: Thinking;
  /** How many alternative answers (choices). */
  n: number;
  logprobs: { topLogprobs: number } | undefined;
  responseFormat: ResponseFormat;
  tools: ToolDefinition[];
  toolChoice: ToolChoice;
  parallelToolCalls: boolean;
}
