import type { ChatCompletionRequest } from '../openai/chat-request-schema.js';
import type { DashScopeParameters, DashScopeTextGenerationRequest } from '../dashscope/text-generation-request.js';
import { convertToDashScopeMessages } from './convert-to-dashscope-messages.js';
import { chatParameterMap } from './parameter-map.js';

export interface ConvertedChatRequest {
  body: DashScopeTextGenerationRequest;
  stream: boolean;
  /** `stream_options.include_usage`: the client wants a final usage chunk. */
  includeUsage: boolean;
  /** The model as the client named it, echoed back in responses. */
  model: string;
}

/**
 * A validated OpenAI chat request → DashScope's native text-generation request. Only what the client
 * sent is forwarded: no default temperature, no clamping, no history truncation.
 */
export function convertToDashScopeRequest({ request }: { request: ChatCompletionRequest }): ConvertedChatRequest {
  const stream = request.stream === true;
  const parameters: DashScopeParameters = { result_format: 'message' };
  if (stream) parameters.incremental_output = true;
  for (const { openai, dashscope } of chatParameterMap) {
    const value = request[openai];
    if (value !== null && value !== undefined) Object.assign(parameters, { [dashscope]: value });
  }
  return {
    body: { model: request.model, input: { messages: convertToDashScopeMessages({ messages: request.messages }) }, parameters },
    stream,
    includeUsage: stream && request.stream_options?.include_usage === true,
    model: request.model,
  };
}
