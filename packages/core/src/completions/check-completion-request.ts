import { chatParameterTable } from '../chat/chat-parameter-table.js';
import { checkChatRequest } from '../chat/check-chat-request.js';
import { planChatThinking } from '../chat/convert-to-dashscope-request.js';
import { invalidRequest } from '../errors/gateway-error.js';
import type { ChatCompletionRequest } from '../openai/chat-request-schema.js';
import type { GatewayWarning } from '../parameters/gateway-warning.js';
import { checkParameters } from '../parameters/parameter-table.js';
import type { CompletionRequest } from './completion-request-schema.js';

/**
 * Checks a legacy request as the chat requests it becomes (`chatRequests`, one per prompt): the chat
 * parameter table and cross-field checks judge the shared fields with the chat endpoint's own words
 * (they differ between prompts only in the message, so the first speaks for all). What only
 * completions can get wrong is checked first, each a 400 naming the field. Returns the chat warnings.
 */
export function checkCompletionRequest(request: CompletionRequest, chatRequests: readonly ChatCompletionRequest[]): GatewayWarning[] {
  checkPrompts(request);
  if (request.best_of != null && request.n != null && request.best_of < request.n) {
    // OpenAI's rule; only best_of=1 gets this far, so this is n > 1 with best_of=1.
    throw invalidRequest("'best_of' must be greater than or equal to 'n'.", { param: 'best_of', code: 'invalid_value' });
  }
  const first = chatRequests[0] as ChatCompletionRequest;
  const warnings = checkParameters({ table: chatParameterTable, request: first });
  warnings.push(...checkChatRequest(first));
  if (chatRequests.length > 1) checkSeveralPrompts(request, first);
  return warnings;
}

/** DashScope refuses an empty message ("Content length must be greater than 0") and names nothing. */
function checkPrompts({ prompt }: CompletionRequest): void {
  if (typeof prompt === 'string') {
    if (prompt === '') throw emptyPrompt('prompt');
    return;
  }
  const empty = prompt.indexOf('');
  if (empty !== -1) throw emptyPrompt(`prompt[${empty}]`);
}

const emptyPrompt = (param: string) => invalidRequest(`Invalid '${param}': a prompt must not be empty.`, { param, code: 'invalid_value' });

/**
 * Several prompts are several DashScope calls, and only non-stream JSON calls can be merged into one
 * answer: not streams (their chunks would interleave), and not the collected stream a model that thinks
 * only in streams needs for a non-stream answer (see planThinking).
 */
function checkSeveralPrompts(request: CompletionRequest, first: ChatCompletionRequest): void {
  if (request.stream === true) {
    throw invalidRequest("Streaming supports one prompt per request: send one prompt per streamed request, or set 'stream' to false.", {
      param: 'prompt',
      code: 'unsupported_parameter',
    });
  }
  if (planChatThinking(first).mode === 'collect') {
    throw invalidRequest(
      `The model '${request.model}' answers this request only as a stream (it thinks), and streams cannot be merged: send one prompt per request.`,
      { param: 'prompt', code: 'unsupported_parameter' },
    );
  }
}
