import { toOpenAIError } from '../errors/to-openai-error.js';
import type { StreamPart } from './stream-part.js';

/**
 * One part → OpenAI's SSE framing: `data: <json>` and a blank line; `data: [DONE]` at the end; an
 * error after the stream started is sent as `data: {"error":{...}}`, as OpenAI does, and nothing follows.
 */
export function encodeStreamPart(part: StreamPart): string {
  switch (part.type) {
    case 'data':
      return `data: ${JSON.stringify(part.data)}\n\n`;
    case 'error':
      return `data: ${JSON.stringify(toOpenAIError(part.error).body)}\n\n`;
    case 'done':
      return 'data: [DONE]\n\n';
  }
}

/** Several parts as one string, so one upstream read becomes one socket write. */
export function encodeStreamParts(parts: readonly StreamPart[]): string {
  let text = '';
  for (const part of parts) text += encodeStreamPart(part);
  return text;
}
