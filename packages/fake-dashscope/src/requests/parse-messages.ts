import { isRecord } from '../is-record.js';
import { invalidParameter } from '../wire-format.js';
import { NO_MEDIA, parseContentItems, type MediaCounts } from './parse-content-items.js';
import { validateToolTurns } from './validate-tool-turns.js';

// `input.messages` (or the legacy `input.prompt`), checked the way DashScope checks them (protocol §3.1).

export type MessageRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ParsedMessage {
  role: MessageRole;
  texts: string[];
  media: MediaCounts;
  /** The ids of the calls an assistant message made. */
  toolCallIds: string[];
  /** The call a tool message answers. */
  toolCallId: string | undefined;
}

// Messages recorded in parameter-error-* and on the error-code page (protocol §3.1, §6.2).
export const ROLE_OR_EMPTY_CONTENT = 'Role must be user or assistant and Content length must be greater than 0';
export const NO_PROMPT_OR_MESSAGES = 'Either "prompt" or "messages" must exist and cannot both be none.';
export const CONTENT_NOT_STRING = 'input content must be a string.';
export const CONTENT_NOT_LIST = 'The content of a multimodal message must be a list of content items.';
export const TOOL_CALL_SHAPE =
  'Each entry of "tool_calls" must have an "id", "type": "function" and a "function" with a "name" and string "arguments".';
export const TOOL_CONTENT_NOT_TEXT = 'The content of a "tool" message must be a list of {"text": ...} items.';
export const TOOL_CALL_ID_MISSING = 'A "tool" message must have a "tool_call_id".';

const ROLES: ReadonlySet<string> = new Set<MessageRole>(['system', 'user', 'assistant', 'tool']);

export function parseMessages({ input, multimodal }: { input: Record<string, unknown>; multimodal: boolean }): ParsedMessage[] {
  const { messages, prompt } = input;
  if (prompt !== undefined && prompt !== null && typeof prompt !== 'string') {
    throw invalidParameter('Parameter "prompt" must be a string.');
  }
  const promptTurn: ParsedMessage[] =
    typeof prompt === 'string' && prompt.length > 0
      ? [{ role: 'user', texts: [prompt], media: NO_MEDIA, toolCallIds: [], toolCallId: undefined }]
      : [];
  if (messages === undefined || messages === null) {
    if (promptTurn.length === 0) throw invalidParameter(NO_PROMPT_OR_MESSAGES);
    return promptTurn;
  }
  if (!Array.isArray(messages)) throw invalidParameter('Parameter "messages" must be a list.');
  // Recorded (parameter-error-nosse): an empty list fails even when a prompt is present.
  if (messages.length === 0) throw invalidParameter(ROLE_OR_EMPTY_CONTENT);
  // The SDKs append a legacy prompt as a trailing user turn (protocol §3.1).
  const parsed = [...messages.map((message: unknown) => parseMessage({ message, multimodal })), ...promptTurn];
  validateToolTurns(parsed);
  return parsed;
}

function parseMessage({ message, multimodal }: { message: unknown; multimodal: boolean }): ParsedMessage {
  if (!isRecord(message) || typeof message.role !== 'string' || !ROLES.has(message.role)) {
    throw invalidParameter(ROLE_OR_EMPTY_CONTENT);
  }
  const role = message.role as MessageRole;
  const toolCallIds = role === 'assistant' ? parseToolCalls(message.tool_calls) : [];
  if (role === 'assistant' && message.reasoning_content !== undefined && message.reasoning_content !== null) {
    if (typeof message.reasoning_content !== 'string') throw invalidParameter('Parameter "reasoning_content" must be a string.');
  }
  let toolCallId: string | undefined;
  if (role === 'tool') {
    if (typeof message.tool_call_id !== 'string' || message.tool_call_id.length === 0) throw invalidParameter(TOOL_CALL_ID_MISSING);
    toolCallId = message.tool_call_id;
  }
  return { role, ...parseContent({ role, content: message.content, multimodal }), toolCallIds, toolCallId };
}

function parseContent({ role, content, multimodal }: { role: MessageRole; content: unknown; multimodal: boolean }) {
  // An assistant turn that only carries tool_calls has "" / [] / no content on the wire.
  const mayBeEmpty = role === 'assistant';
  if (content === undefined || content === null) {
    if (mayBeEmpty) return { texts: [], media: NO_MEDIA };
    throw invalidParameter(ROLE_OR_EMPTY_CONTENT);
  }
  if (!multimodal) {
    if (typeof content !== 'string') throw invalidParameter(CONTENT_NOT_STRING);
    if (content.length === 0 && !mayBeEmpty) throw invalidParameter(ROLE_OR_EMPTY_CONTENT);
    return { texts: [content], media: NO_MEDIA };
  }
  if (!Array.isArray(content)) throw invalidParameter(CONTENT_NOT_LIST);
  if (content.length === 0 && !mayBeEmpty) throw invalidParameter(ROLE_OR_EMPTY_CONTENT);
  const parsed = parseContentItems(content);
  // Tool results are text (multimodal-generation-message-with-tools-sse sends [{"text": ...}]).
  if (role === 'tool' && parsed.texts.length !== content.length) throw invalidParameter(TOOL_CONTENT_NOT_TEXT);
  return parsed;
}

/** The ids of an assistant message's `tool_calls`, each entry checked for the recorded shape. */
function parseToolCalls(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParameter(TOOL_CALL_SHAPE);
  return value.map((call: unknown) => {
    if (
      !isRecord(call) ||
      typeof call.id !== 'string' ||
      call.id.length === 0 ||
      call.type !== 'function' ||
      !isRecord(call.function) ||
      typeof call.function.name !== 'string' ||
      call.function.name.length === 0 ||
      typeof call.function.arguments !== 'string'
    ) {
      throw invalidParameter(TOOL_CALL_SHAPE);
    }
    return call.id;
  });
}
