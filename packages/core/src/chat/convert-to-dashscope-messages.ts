import type { ChatMessage, TextContent } from '../openai/chat-request-schema.js';
import type { DashScopeMessage } from '../dashscope/generation-request.js';

/**
 * OpenAI messages → DashScope messages. `developer` is OpenAI's newer name for `system`. Text models
 * take `content` as one string, so text parts are joined without a separator (as OpenAI reads them);
 * the multimodal endpoint takes a list of items, so the text becomes one `{text}` item.
 */
export function convertToDashScopeMessages({
  messages,
  multimodal = false,
}: {
  messages: readonly ChatMessage[];
  multimodal?: boolean;
}): DashScopeMessage[] {
  return messages.map((message) => {
    const text = joinTextContent(message.content);
    const converted: DashScopeMessage = {
      role: message.role === 'developer' ? 'system' : message.role,
      content: multimodal ? [{ text }] : text,
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
