import { assertModelForEndpoint } from './assert-model-for-endpoint.js';
import { DashScopeError, invalidParameter } from './dashscope-error.js';
import { isRecord } from './is-record.js';
import type { ModelCatalog } from './model-catalog.js';

export interface GenerationRequest {
  model: string;
  endpoint: 'text-generation' | 'multimodal-generation';
  /** Message shape of the answer: 'text' (output.text) or 'message' (output.choices). */
  resultFormat: 'text' | 'message';
  incrementalOutput: boolean;
  maxTokens: number | undefined;
  /** Stop strings; token-id stop sequences are accepted and ignored. */
  stop: string[];
  /** Every text of the conversation, for input token counting. */
  inputTexts: string[];
  imageCount: number;
  lastUserText: string;
}

interface ParsedMessage {
  role: string;
  texts: string[];
  imageCount: number;
}

// Messages recorded in parameter-error-* and on the error-code page (protocol §3.1, §6.2).
const ROLE_OR_EMPTY_CONTENT = 'Role must be user or assistant and Content length must be greater than 0';
const NO_PROMPT_OR_MESSAGES = 'Either "prompt" or "messages" must exist and cannot both be none.';
const CONTENT_NOT_STRING = 'input content must be a string.';
const CONTENT_NOT_LIST = 'The content of a multimodal message must be a list of content items.';
const BAD_CONTENT_ITEM = 'The item of content should be a message of a certain modal.';

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
const CONTENT_ITEM_KEYS = new Set(['text', 'image', 'video', 'audio']);

/** Validates a text- or multimodal-generation body the way DashScope does; throws DashScopeError. */
export function parseGenerationRequest({
  body,
  endpoint,
  catalog,
}: {
  body: unknown;
  endpoint: 'text-generation' | 'multimodal-generation';
  catalog: ModelCatalog;
}): GenerationRequest {
  const model = assertModelForEndpoint({ body, endpoint, catalog });
  const input = isRecord(body) ? body.input : undefined;
  if (!isRecord(input)) {
    throw new DashScopeError({
      status: 400,
      code: 'BadRequest.EmptyInput',
      message: 'Required input parameter missing from request.',
    });
  }
  const messages = parseMessages({ input, multimodal: endpoint === 'multimodal-generation' });
  const parameters = parseParameters(isRecord(body) ? body.parameters : undefined);
  const lastUser = messages.findLast((message) => message.role === 'user');
  return {
    model,
    endpoint,
    // The multimodal endpoint always answers in message shape (multimodal-generation-vl-* send no result_format).
    resultFormat: endpoint === 'multimodal-generation' ? 'message' : parameters.resultFormat,
    incrementalOutput: parameters.incrementalOutput,
    maxTokens: parameters.maxTokens,
    stop: parameters.stop,
    inputTexts: messages.flatMap((message) => message.texts),
    imageCount: messages.reduce((sum, message) => sum + message.imageCount, 0),
    lastUserText: lastUser?.texts.join('\n') ?? '',
  };
}

function parseMessages({ input, multimodal }: { input: Record<string, unknown>; multimodal: boolean }): ParsedMessage[] {
  const { messages, prompt } = input;
  if (prompt !== undefined && prompt !== null && typeof prompt !== 'string') {
    throw invalidParameter('Parameter "prompt" must be a string.');
  }
  const hasPrompt = typeof prompt === 'string' && prompt.length > 0;
  if (messages === undefined || messages === null) {
    if (!hasPrompt) throw invalidParameter(NO_PROMPT_OR_MESSAGES);
    return [{ role: 'user', texts: [prompt], imageCount: 0 }];
  }
  if (!Array.isArray(messages)) throw invalidParameter('Parameter "messages" must be a list.');
  // Recorded (parameter-error-nosse): an empty list fails even when a prompt is present.
  if (messages.length === 0) throw invalidParameter(ROLE_OR_EMPTY_CONTENT);
  const parsed = messages.map((message: unknown) => parseMessage({ message, multimodal }));
  // The SDKs append a legacy prompt as a trailing user turn (protocol §3.1).
  return hasPrompt ? [...parsed, { role: 'user', texts: [prompt], imageCount: 0 }] : parsed;
}

function parseMessage({ message, multimodal }: { message: unknown; multimodal: boolean }): ParsedMessage {
  if (!isRecord(message) || typeof message.role !== 'string' || !ROLES.has(message.role)) {
    throw invalidParameter(ROLE_OR_EMPTY_CONTENT);
  }
  const { role, content } = message;
  // An assistant turn that only carries tool_calls has "" / [] / no content on the wire.
  const mayBeEmpty = role === 'assistant';
  if (content === undefined || content === null) {
    if (mayBeEmpty) return { role, texts: [], imageCount: 0 };
    throw invalidParameter(ROLE_OR_EMPTY_CONTENT);
  }
  if (!multimodal) {
    if (typeof content !== 'string') throw invalidParameter(CONTENT_NOT_STRING);
    if (content.length === 0 && !mayBeEmpty) throw invalidParameter(ROLE_OR_EMPTY_CONTENT);
    return { role, texts: [content], imageCount: 0 };
  }
  if (!Array.isArray(content)) throw invalidParameter(CONTENT_NOT_LIST);
  if (content.length === 0 && !mayBeEmpty) throw invalidParameter(ROLE_OR_EMPTY_CONTENT);
  const texts: string[] = [];
  let imageCount = 0;
  for (const item of content as unknown[]) {
    const kind = contentItemKind(item);
    if (kind === undefined) throw invalidParameter(BAD_CONTENT_ITEM);
    if (kind.key === 'text') texts.push(kind.value);
    if (kind.key === 'image') imageCount += 1;
  }
  return { role, texts, imageCount };
}

/** A content item is an object with exactly one modality key (protocol §7). */
function contentItemKind(item: unknown): { key: string; value: string } | undefined {
  if (!isRecord(item)) return undefined;
  const keys = Object.keys(item);
  const key = keys[0];
  if (keys.length !== 1 || key === undefined || !CONTENT_ITEM_KEYS.has(key)) return undefined;
  const value = item[key];
  if (typeof value === 'string') return { key, value };
  // A video may be given as a list of frame URLs.
  if (key === 'video' && Array.isArray(value) && value.every((frame) => typeof frame === 'string')) {
    return { key, value: '' };
  }
  return undefined;
}

function parseParameters(parameters: unknown): {
  resultFormat: 'text' | 'message';
  incrementalOutput: boolean;
  maxTokens: number | undefined;
  stop: string[];
} {
  if (parameters === undefined || parameters === null) {
    return { resultFormat: 'text', incrementalOutput: false, maxTokens: undefined, stop: [] };
  }
  if (!isRecord(parameters)) throw invalidParameter('Parameter "parameters" must be an object.');
  // Unknown keys (stream, seed, tools, enable_thinking, ...) are accepted and ignored, as upstream does.
  const resultFormat = parameters.result_format ?? 'text';
  if (resultFormat !== 'text' && resultFormat !== 'message') {
    throw invalidParameter('Parameter "result_format" must be "text" or "message".');
  }
  const limits = [
    parseMaxTokens('max_tokens', parameters.max_tokens),
    parseMaxTokens('max_completion_tokens', parameters.max_completion_tokens),
  ].filter((limit): limit is number => limit !== undefined);
  return {
    resultFormat,
    incrementalOutput: parameters.incremental_output === true,
    maxTokens: limits.length > 0 ? Math.min(...limits) : undefined,
    stop: parseStop(parameters.stop),
  };
}

function parseMaxTokens(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidParameter(`Parameter "${name}" must be an integer greater than 0.`);
  }
  return value;
}

// `stop` may be a string, a list of strings, or token ids (protocol §3.2); only strings can be
// honoured without a tokenizer, token ids are ignored.
function parseStop(value: unknown): string[] {
  if (typeof value === 'string') return value.length > 0 ? [value] : [];
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is string => typeof item === 'string' && item.length > 0);
}
