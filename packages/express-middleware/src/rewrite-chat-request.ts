import { chatCompletionsEndpoint } from '@gw/core';
import { rewriteRequest, type RewriteRequestOptions } from './rewrite-request.js';

export type RewriteChatRequestOptions = Omit<RewriteRequestOptions, 'endpoint'>;

/** `rewriteRequest` for POST /chat/completions. */
export function rewriteChatRequest(options: RewriteChatRequestOptions = {}) {
  return rewriteRequest({ ...options, endpoint: chatCompletionsEndpoint });
}
