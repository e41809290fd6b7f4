import { toOpenAIError } from '../errors/to-openai-error.js';
import type { ChatStreamPart } from './chat-stream-part.js';

/**
 * One part → OpenAI's SSE framing: `data: <json>` and a blank line; `data: [DONE]` at the end; an
 * error after the stream started is sent as `data: {"error":{...}}`, as OpenAI does, and nothing follows.
 */
export function encodeChatStreamPart(part: ChatStreamPart): string {
  switch (part.type) {
    case 'chunk':
      return `data: ${JSON.stringify(part.chunk)}\n\n`;
    case 'error':
      return `data: ${JSON.stringify(toOpenAIError(part.error).body)}\n\n`;
    case 'done':
      return 'data: [DONE]\n\n';
  }
}
