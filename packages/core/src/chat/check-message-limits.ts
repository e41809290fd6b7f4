import { isRecord } from '../dashscope/is-record.js';
import type { RequestLimits } from '../endpoints/request-limits.js';
import { invalidRequest } from '../errors/gateway-error.js';

/**
 * The message count and total text of a raw chat body against the request limits, before anything
 * else walks it. The walk is bounded whatever the body holds: the count is the array's length, at most
 * `maxMessages` messages and `maxMessages` content parts are visited, and counting stops as soon as the
 * text passes its cap. Anything that is not a string content or a text part is left to the schema.
 */
export function checkMessageLimits({ messages, limits }: { messages: unknown; limits: RequestLimits }): void {
  if (!Array.isArray(messages)) return;
  const { maxMessages, maxTextLength } = limits;
  if (messages.length > maxMessages) {
    // OpenAI's own wording and code for the same mistake.
    throw invalidRequest(
      `Invalid 'messages': array too long. Expected an array with maximum length ${maxMessages}, but got an array with length ${messages.length} instead.`,
      { param: 'messages', code: 'array_above_max_length' },
    );
  }
  let textLength = 0;
  let partCount = 0;
  const addText = (text: unknown) => {
    if (typeof text !== 'string') return;
    textLength += text.length;
    if (textLength > maxTextLength) {
      throw invalidRequest(
        `Invalid 'messages': text too long. Expected at most ${maxTextLength} characters of text across all messages, but got at least ${textLength}.`,
        { param: 'messages', code: 'string_above_max_length' },
      );
    }
  };
  for (const message of messages) {
    if (!isRecord(message)) continue;
    const content = message.content;
    if (!Array.isArray(content)) {
      addText(content);
      continue;
    }
    partCount += content.length;
    if (partCount > maxMessages) {
      throw invalidRequest(
        `Invalid 'messages': too many content parts. Expected at most ${maxMessages} content parts across all messages, but got at least ${partCount}.`,
        { param: 'messages', code: 'array_above_max_length' },
      );
    }
    for (const part of content) {
      if (isRecord(part) && part.type === 'text') addText(part.text);
    }
  }
}
