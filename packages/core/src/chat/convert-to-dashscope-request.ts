import type { ChatCompletionRequest } from '../openai/chat-request-schema.js';
import { DASHSCOPE_PATHS } from '../dashscope/dashscope-paths.js';
import type { DashScopeGenerationRequest } from '../dashscope/generation-request.js';
import { findCatalogueModel } from '../models/model-catalogue.js';
import { moveParameters } from '../parameters/parameter-table.js';
import { chatParameterTable } from './chat-parameter-table.js';
import { convertToDashScopeMessages } from './convert-to-dashscope-messages.js';

export interface ConvertedChatRequest {
  /** The native endpoint the model needs: text-generation, or multimodal-generation for vision models. */
  path: string;
  body: DashScopeGenerationRequest;
  stream: boolean;
  /** `stream_options.include_usage`: the client wants a final usage chunk. */
  includeUsage: boolean;
  /** The model as the client named it, echoed back in responses. */
  model: string;
}

/**
 * A validated OpenAI chat request → DashScope's native generation request. Only what the client sent
 * is forwarded: no default temperature, no clamping, no history truncation. The model catalogue picks
 * the endpoint; a model it does not know goes to text-generation, and DashScope decides.
 */
export function convertToDashScopeRequest({ request }: { request: ChatCompletionRequest }): ConvertedChatRequest {
  const stream = request.stream === true;
  const multimodal = findCatalogueModel(request.model)?.endpoint === 'multimodal-generation';
  const body: DashScopeGenerationRequest = {
    model: request.model,
    input: { messages: convertToDashScopeMessages({ messages: request.messages, multimodal }) },
    // The multimodal endpoint always answers in message shape (the recorded requests send no result_format).
    parameters: multimodal ? {} : { result_format: 'message' },
  };
  if (stream) body.parameters.incremental_output = true;
  moveParameters({ table: chatParameterTable, request, target: body as unknown as Record<string, unknown> });
  return {
    path: multimodal ? DASHSCOPE_PATHS.multimodalGeneration : DASHSCOPE_PATHS.textGeneration,
    body,
    stream,
    includeUsage: stream && request.stream_options?.include_usage === true,
    model: request.model,
  };
}
