import type { ChatCompletionRequest, ChatMessage } from '../openai/chat-request-schema.js';
import { DASHSCOPE_PATHS } from '../dashscope/dashscope-paths.js';
import type { DashScopeGenerationRequest, DashScopeParameters } from '../dashscope/generation-request.js';
import { findCatalogueModel } from '../models/model-catalogue.js';
import type { CatalogueModel } from '../models/model-catalogue-entries.js';
import { moveParameters } from '../parameters/parameter-table.js';
import { chatParameterTable } from './chat-parameter-table.js';
import { convertToDashScopeMessages } from './convert-to-dashscope-messages.js';
import { planThinking, type ThinkingPlan } from './plan-thinking.js';

export interface ConvertedChatRequest {
  /** The native endpoint the model needs: text-generation, or multimodal-generation. */
  path: string;
  body: DashScopeGenerationRequest;
  /** How the call runs: see ThinkingPlan. `stream` and `collect` stream upstream. */
  mode: ThinkingPlan['mode'];
  /** `stream_options.include_usage`: the client wants a final usage chunk. */
  includeUsage: boolean;
  /** The model as the client named it, echoed back in responses. */
  model: string;
  /** How many choices the answer carries (OpenAI's `n`). */
  choiceCount: number;
}

/**
 * A validated OpenAI chat request → DashScope's native generation request. Only what the client sent is
 * forwarded (no default temperature, no clamping, no history truncation), plus what the model needs to
 * answer the way the client asked (see planThinking). The model catalogue picks the endpoint; a model it
 * does not know goes to multimodal-generation when the messages carry images, audio or video, and to
 * text-generation otherwise, and DashScope decides.
 */
export function convertToDashScopeRequest({ request }: { request: ChatCompletionRequest }): ConvertedChatRequest {
  const model = findCatalogueModel(request.model);
  const multimodal = model === undefined ? hasMediaParts(request.messages) : model.endpoint === 'multimodal-generation';
  const body: DashScopeGenerationRequest = {
    model: request.model,
    input: { messages: convertToDashScopeMessages({ messages: request.messages, multimodal }) },
    // The multimodal endpoint always answers in message shape (the recorded requests send no result_format).
    parameters: multimodal ? {} : { result_format: 'message' },
  };
  const parameters = body.parameters;
  // OpenAI's detail is per image; DashScope's switch is per request: any "high" image turns it on. Set
  // first, so a client's own vl_high_resolution_images wins.
  if (asksForHighDetail(request.messages)) parameters.vl_high_resolution_images = true;
  moveParameters({ table: chatParameterTable, request, target: body as unknown as Record<string, unknown> });
  writeOutputLimit({ parameters, request, model });
  writeTools({ parameters, request });
  const enableThinking = request.enable_thinking ?? thinkingOf(request.reasoning_effort);
  if (enableThinking !== undefined) parameters.enable_thinking = enableThinking;
  const plan = planChatThinking(request, model);
  if (plan.enableThinking !== undefined) parameters.enable_thinking = plan.enableThinking;
  if (plan.mode !== 'json') parameters.incremental_output = true;
  return {
    path: multimodal ? DASHSCOPE_PATHS.multimodalGeneration : DASHSCOPE_PATHS.textGeneration,
    body,
    mode: plan.mode,
    includeUsage: plan.mode === 'stream' && request.stream_options?.include_usage === true,
    model: request.model,
    choiceCount: request.n ?? 1,
  };
}

/**
 * `max_tokens` goes to `max_tokens`; `max_completion_tokens` goes to DashScope's own
 * `max_completion_tokens`, except on models the catalogue says take only `max_tokens` (they ignore the
 * newer name), where it becomes `max_tokens`: the same cap on a model that does not reason. Sent both
 * ways to such a model, the smaller cap wins.
 */
function writeOutputLimit({
  parameters,
  request,
  model,
}: {
  parameters: DashScopeParameters;
  request: ChatCompletionRequest;
  model: CatalogueModel | undefined;
}): void {
  const limit = request.max_completion_tokens;
  if (limit == null) return;
  if (model?.outputLimitParameter === 'max_tokens') parameters.max_tokens = Math.min(limit, parameters.max_tokens ?? limit);
  else parameters.max_completion_tokens = limit;
}

/** Tools as DashScope takes them (OpenAI's shape, without `strict`); tool_choice only with tools. */
function writeTools({ parameters, request }: { parameters: DashScopeParameters; request: ChatCompletionRequest }): void {
  const tools = request.tools;
  if (tools == null || tools.length === 0) return;
  parameters.tools = tools.map(({ function: fn }) => {
    const converted: Record<string, unknown> = { name: fn.name };
    if (fn.description != null) converted.description = fn.description;
    if (fn.parameters != null) converted.parameters = fn.parameters;
    return { type: 'function', function: converted };
  });
  const choice = request.tool_choice;
  if (choice === 'auto' || choice === 'none') parameters.tool_choice = choice;
  else if (typeof choice === 'object' && choice !== null)
    parameters.tool_choice = { type: 'function', function: { name: choice.function.name } };
}

/** How a chat request's call runs (see planThinking), without converting the rest of it. */
export function planChatThinking(request: ChatCompletionRequest, model = findCatalogueModel(request.model)): ThinkingPlan {
  return planThinking({
    model,
    stream: request.stream === true,
    enableThinking: request.enable_thinking ?? thinkingOf(request.reasoning_effort),
  });
}

/** OpenAI's effort levels have no DashScope equivalent; "none" is "do not think", anything else "think". */
export function thinkingOf(effort: ChatCompletionRequest['reasoning_effort']): boolean | undefined {
  if (effort == null) return undefined;
  return effort !== 'none';
}

function hasMediaParts(messages: readonly ChatMessage[]): boolean {
  return messages.some(
    (message) => message.role === 'user' && Array.isArray(message.content) && message.content.some((part) => part.type !== 'text'),
  );
}

function asksForHighDetail(messages: readonly ChatMessage[]): boolean {
  return messages.some(
    (message) =>
      message.role === 'user' &&
      Array.isArray(message.content) &&
      message.content.some((part) => part.type === 'image_url' && part.image_url.detail === 'high'),
  );
}
