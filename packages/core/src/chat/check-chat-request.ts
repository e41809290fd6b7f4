import { invalidRequest } from '../errors/gateway-error.js';
import type { ChatCompletionRequest } from '../openai/chat-request-schema.js';
import type { GatewayWarning } from '../parameters/gateway-warning.js';
import { findCatalogueModel, type CatalogueModel } from '../models/model-catalogue.js';
import { thinkingOf } from './convert-to-dashscope-request.js';

/**
 * Checks across fields that a schema cannot express, each a 400 naming the field DashScope would
 * otherwise reject with a message that names none (or accept and answer wrongly). Returns warnings
 * for what the translation changes.
 */
export function checkChatRequest(request: ChatCompletionRequest): GatewayWarning[] {
  if (request.stream_options != null && request.stream !== true) {
    throw invalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", { param: 'stream_options' });
  }
  if (request.top_logprobs != null && request.logprobs !== true) {
    throw invalidRequest("'top_logprobs' needs 'logprobs' set to true.", { param: 'top_logprobs', code: 'invalid_value' });
  }
  const hasTools = request.tools != null && request.tools.length > 0;
  if (hasTools && request.n != null && request.n > 1) {
    // DashScope answers a single choice whenever tools are given (protocol §3.2).
    throw invalidRequest("'n' must be 1 when 'tools' are given: DashScope answers one choice with tools.", {
      param: 'n',
      code: 'unsupported_parameter',
    });
  }
  const effortThinks = thinkingOf(request.reasoning_effort);
  if (request.enable_thinking != null && effortThinks !== undefined && request.enable_thinking !== effortThinks) {
    throw invalidRequest(
      `'reasoning_effort' "${request.reasoning_effort}" and 'enable_thinking' ${request.enable_thinking} disagree; send one of them.`,
      {
        param: 'reasoning_effort',
      },
    );
  }
  const model = findCatalogueModel(request.model);
  const thinks = request.enable_thinking ?? effortThinks;
  if (model?.capabilities.thinking === 'always' && thinks === false) {
    // DashScope would answer "restricted to True" without naming the field.
    const param = request.enable_thinking != null ? 'enable_thinking' : 'reasoning_effort';
    throw invalidRequest(`The model '${request.model}' always thinks; it cannot be asked not to.`, {
      param,
      code: 'unsupported_parameter',
    });
  }
  if (!hasTools && typeof request.tool_choice === 'object' && request.tool_choice !== null) {
    throw invalidRequest("'tool_choice' names a function, but no 'tools' were given.", { param: 'tool_choice', code: 'invalid_value' });
  }
  checkMessages(request, model);
  return warningsFor(request);
}

function checkMessages(request: ChatCompletionRequest, model: CatalogueModel | undefined): void {
  request.messages.forEach((message, index) => {
    if (message.role === 'assistant') return;
    const content = message.content;
    const parts = typeof content === 'string' ? [{ type: 'text' as const, text: content }] : content;
    // DashScope refuses a message without content ("Content length must be greater than 0"), naming none.
    if (parts.every((part) => part.type === 'text' && part.text === '')) {
      throw invalidRequest(`Invalid 'messages[${index}].content': a ${message.role} message must not be empty.`, {
        param: `messages[${index}].content`,
        code: 'invalid_value',
      });
    }
    if (model?.endpoint !== 'text-generation') return;
    const mediaAt = parts.findIndex((part) => part.type !== 'text');
    if (mediaAt !== -1) {
      throw invalidRequest(
        `The model '${request.model}' takes text only; images, audio and video need a multimodal model such as qwen3-vl-plus or qwen3.6-plus.`,
        { param: `messages[${index}].content[${mediaAt}]`, code: 'unsupported_parameter' },
      );
    }
  });
}

function warningsFor(request: ChatCompletionRequest): GatewayWarning[] {
  const warnings: GatewayWarning[] = [];
  const effort = request.reasoning_effort;
  if (effort != null && effort !== 'none') {
    warnings.push({
      code: 'parameter_converted',
      param: 'reasoning_effort',
      message: `Parameter 'reasoning_effort' "${effort}" was sent as enable_thinking=true: DashScope has no effort levels (send thinking_budget to cap the thinking).`,
    });
  }
  if (request.web_search_options != null && Reflect.ownKeys(request.web_search_options).length > 0) {
    warnings.push({
      code: 'parameter_converted',
      param: 'web_search_options',
      message:
        "Parameter 'web_search_options' was sent as enable_search=true: its options have no DashScope equivalent (send search_options).",
    });
  }
  request.tools?.forEach((tool, index) => {
    if (tool.function.strict === true) {
      warnings.push({
        code: 'parameter_dropped',
        param: `tools[${index}].function.strict`,
        message: `Parameter 'tools[${index}].function.strict' was dropped: DashScope does not enforce a tool's schema.`,
      });
    }
  });
  return warnings;
}
