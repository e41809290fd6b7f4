import type { AssistantContent, ChatMessage, TextContent, UserContentPart } from '../openai/chat-request-schema.js';
import type { DashScopeContentItem, DashScopeMessage } from '../dashscope/generation-request.js';

/**
 * OpenAI messages → DashScope messages. `developer` is OpenAI's newer name for `system`. Text models take
 * `content` as one string, so text parts are joined without a separator (as OpenAI reads them); the
 * multimodal endpoint takes a list of single-key items in the client's order (protocol §7). Tool calls,
 * tool results and earlier reasoning reach DashScope as its own messages carry them (protocol §3.1).
 */
export function convertToDashScopeMessages({
  messages,
  multimodal = false,
}: {
  messages: readonly ChatMessage[];
  multimodal?: boolean;
}): DashScopeMessage[] {
  return messages.map((message) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return withName({ role: 'system', content: textContent(joinText(message.content), multimodal) }, message.name);
      case 'user':
        return withName({ role: 'user', content: userContent(message.content, multimodal) }, message.name);
      case 'tool':
        return { role: 'tool', content: textContent(joinText(message.content), multimodal), tool_call_id: message.tool_call_id };
      case 'assistant':
        return convertAssistantMessage(message, multimodal);
    }
  });
}

function convertAssistantMessage(message: Extract<ChatMessage, { role: 'assistant' }>, multimodal: boolean): DashScopeMessage {
  const text = joinAssistantText(message.content);
  // An assistant turn that only called tools has "" (text) or [] (multimodal) on the wire, as recorded.
  const converted: DashScopeMessage = { role: 'assistant', content: multimodal ? (text === '' ? [] : [{ text }]) : text };
  if (message.name !== undefined) converted.name = message.name;
  if (message.tool_calls != null && message.tool_calls.length > 0) {
    converted.tool_calls = message.tool_calls.map((call, index) => ({
      id: call.id,
      type: 'function',
      function: { name: call.function.name, arguments: call.function.arguments },
      index,
    }));
  }
  if (message.reasoning_content != null && message.reasoning_content !== '') converted.reasoning_content = message.reasoning_content;
  return converted;
}

function withName(message: DashScopeMessage, name: string | undefined): DashScopeMessage {
  if (name !== undefined) message.name = name;
  return message;
}

function textContent(text: string, multimodal: boolean): string | DashScopeContentItem[] {
  return multimodal ? [{ text }] : text;
}

function userContent(content: string | UserContentPart[], multimodal: boolean): string | DashScopeContentItem[] {
  if (typeof content === 'string') return textContent(content, multimodal);
  // Media parts never reach a text model: the request parser refuses them for one.
  if (!multimodal) return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
  // An empty text item says nothing, and DashScope refuses items without content.
  return content.filter((part) => part.type !== 'text' || part.text !== '').map(toContentItem);
}

/** One OpenAI content part → one DashScope item. Data URLs pass as they are: DashScope reads them. */
export function toContentItem(part: UserContentPart): DashScopeContentItem {
  switch (part.type) {
    case 'text':
      return { text: part.text };
    case 'image_url':
      return { image: part.image_url.url };
    case 'input_audio':
      return { audio: `data:audio/${part.input_audio.format};base64,${part.input_audio.data}` };
    case 'video_url':
      return { video: part.video_url.url };
    case 'video':
      return { video: part.video };
  }
}

function joinText(content: TextContent): string {
  if (typeof content === 'string') return content;
  return content.map((part) => part.text).join('');
}

/** Refusal parts are the model's own earlier refusals: DashScope has nowhere to put them. */
function joinAssistantText(content: AssistantContent | null | undefined): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}
