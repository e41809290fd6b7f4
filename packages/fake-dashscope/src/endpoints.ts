import { DASHSCOPE_PATH_BY_KIND, MODEL_CATALOGUE, type DashScopeEndpointKind } from '@gw/core';
import { DashScopeError, invalidParameter } from './wire-format.js';

// What each native endpoint accepts: its path, its models, and its request body, validated the way
// DashScope validates it (same codes and messages as the recordings).

// The three native endpoints the fake serves (protocol §1.1). Every other path answers InvalidURL,
// as the real service does.
const ENDPOINTS_BY_PATH = new Map(Object.entries(DASHSCOPE_PATH_BY_KIND).map(([kind, path]) => [path, kind as DashScopeEndpointKind]));

/** The native endpoint a request targets; only POST counts, the query string is ignored. */
export function matchEndpoint({ method, url }: { method: string; url: string }): DashScopeEndpointKind | undefined {
  if (method !== 'POST') return undefined;
  const queryStart = url.indexOf('?');
  const pathname = queryStart === -1 ? url : url.slice(0, queryStart);
  return ENDPOINTS_BY_PATH.get(pathname);
}

/**
 * Which models each native endpoint serves. The sets decide which path accepts which model, like
 * DashScope's own routing (a text model on the multimodal path fails, and vice versa).
 */
export type ModelCatalog = Readonly<Record<DashScopeEndpointKind, ReadonlySet<string>>>;

/** The models @gw/core's catalogue routes to an endpoint: what the fake serves unless told otherwise. */
export function catalogueModelIds(endpoint: DashScopeEndpointKind): string[] {
  return MODEL_CATALOGUE.filter((model) => model.endpoint === endpoint).map((model) => model.id);
}

/**
 * The request's model, checked against the endpoint it was sent to. An unknown model is the native
 * API's 400 "Model not exist." (protocol §6.2); a known model on the wrong path gets the
 * `url error` message DashScope answers in that case (protocol §1.1 notes).
 */
function assertModelForEndpoint({
  body,
  endpoint,
  catalog,
}: {
  body: unknown;
  endpoint: DashScopeEndpointKind;
  catalog: ModelCatalog;
}): string {
  const model = isRecord(body) ? body.model : undefined;
  if (model === undefined || model === null || model === '') {
    throw new DashScopeError({
      status: 400,
      code: 'BadRequest.EmptyModel',
      message: 'Required parameter "model" missing from request.',
    });
  }
  if (typeof model !== 'string') throw invalidParameter('Parameter "model" must be a string.');
  if (catalog[endpoint].has(model)) return model;
  const servedElsewhere = Object.values(catalog).some((models) => models.has(model));
  throw invalidParameter(servedElsewhere ? 'url error, please check url！' : 'Model not exist.');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type GenerationEndpoint = Exclude<DashScopeEndpointKind, 'text-embedding'>;

export interface GenerationRequest {
  model: string;
  endpoint: GenerationEndpoint;
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
  endpoint: GenerationEndpoint;
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

export interface EmbeddingRequest {
  model: string;
  texts: string[];
  dimension: number;
}

// Limits from DOC-EMB (protocol §8): v1/v2 take 25 texts and always return 1536 dimensions;
// newer models take 10 texts and a chosen `dimension` (singular), 1024 by default.
const LEGACY_MODEL = /-v[12]$/;
const LEGACY = { maxTexts: 25, dimension: 1536 } as const;
const CURRENT = { maxTexts: 10, defaultDimension: 1024 } as const;
const V3_DIMENSIONS = [1024, 768, 512, 256, 128, 64];
const V4_DIMENSIONS = [2048, 1536, 1024, 768, 512, 256, 128, 64];

/** Validates a text-embedding body; throws DashScopeError. */
export function parseEmbeddingRequest({ body, catalog }: { body: unknown; catalog: ModelCatalog }): EmbeddingRequest {
  const model = assertModelForEndpoint({ body, endpoint: 'text-embedding', catalog });
  const input = isRecord(body) ? body.input : undefined;
  if (!isRecord(input) || input.texts === undefined || input.texts === null) {
    throw new DashScopeError({
      status: 400,
      code: 'BadRequest.EmptyInput',
      message: 'Required input parameter missing from request.',
    });
  }
  const { texts } = input;
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((text) => typeof text === 'string' && text.length > 0)) {
    throw invalidParameter('Parameter "input.texts" must be a non-empty list of non-empty strings.');
  }
  const legacy = LEGACY_MODEL.test(model);
  const maxTexts = legacy ? LEGACY.maxTexts : CURRENT.maxTexts;
  if (texts.length > maxTexts) {
    throw invalidParameter(`Value error, batch size is invalid, it should not be larger than ${maxTexts}.: input.contents`);
  }
  const parameters = isRecord(body) && isRecord(body.parameters) ? body.parameters : {};
  return {
    model,
    texts: texts as string[],
    dimension: legacy ? LEGACY.dimension : parseDimension({ model, value: parameters.dimension }),
  };
}

function parseDimension({ model, value }: { model: string; value: unknown }): number {
  if (value === undefined || value === null) return CURRENT.defaultDimension;
  const allowed = model.endsWith('-v4') ? V4_DIMENSIONS : V3_DIMENSIONS;
  if (typeof value !== 'number' || !allowed.includes(value)) {
    throw invalidParameter(`Parameter "dimension" must be one of ${allowed.join(', ')} for ${model}.`);
  }
  return value;
}
