import type { ChatMessage, TextContent } from '../openai/chat-request-schema.js';
import type { DashScopeMessage } from '../dashscope/text-generation-request.js';

/**
 * OpenAI messages → DashScope messages. `developer` is OpenAI's newer name for `system`. Text models
 * take `content` as a string only, so text parts are joined without a separator (as OpenAI reads them).
 */
export function convertToDashScopeMessages({ messages }: { messages: readonly ChatMessage[] }): DashScopeMessage[] {
  return messages.map((message) => {
    const converted: DashScopeMessage = {
      role: message.role === 'developer' ? 'system' : message.role,
      content: joinTextContent(message.content),
    };
    if (message.name !== undefined) converted.name = message.name;
    return converted;
  });
}

function joinTextContent(content: TextContent | null | undefined): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => part.text).join('');
}
