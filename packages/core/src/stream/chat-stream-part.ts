import type { GatewayError } from '../errors/gateway-error.js';
import type { ChatCompletionChunk } from '../openai/chat-response-types.js';

/**
 * What a translated chat stream yields. Typed parts rather than bytes, so the HTTP layer can still
 * answer an error that comes before the first chunk with a real status code.
 */
export type ChatStreamPart = { type: 'chunk'; chunk: ChatCompletionChunk } | { type: 'error'; error: GatewayError } | { type: 'done' };
