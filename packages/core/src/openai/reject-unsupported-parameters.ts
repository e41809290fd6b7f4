import { invalidRequest } from '../errors/gateway-error.js';

interface NotYetSupported {
  /** True when the value changes nothing, e.g. `n: 1`: such values are accepted (and dropped). */
  isNoOp: (value: unknown) => boolean;
  reason: string;
}

const isNullish = (value: unknown) => value === null || value === undefined;
const isEmptyArray = (value: unknown) => Array.isArray(value) && value.length === 0;
const isEmptyObject = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;

/**
 * OpenAI chat parameters the gateway does not translate yet. Sent with a value that would change the
 * answer, they get a 400 naming the parameter instead of being dropped silently; at their no-op values
 * (many SDKs send `n: 1`, `frequency_penalty: 0`, `logprobs: false`) they are accepted.
 */
const notYetSupported: Readonly<Record<string, NotYetSupported>> = {
  tools: { isNoOp: (value) => isNullish(value) || isEmptyArray(value), reason: 'Tool calling is not supported by this gateway yet.' },
  tool_choice: { isNoOp: (value) => isNullish(value) || value === 'none', reason: 'Tool calling is not supported by this gateway yet.' },
  functions: {
    isNoOp: (value) => isNullish(value) || isEmptyArray(value),
    reason: 'Function calling is not supported by this gateway yet.',
  },
  function_call: {
    isNoOp: (value) => isNullish(value) || value === 'none',
    reason: 'Function calling is not supported by this gateway yet.',
  },
  n: { isNoOp: (value) => isNullish(value) || value === 1, reason: 'Only n=1 is supported by this gateway yet.' },
  frequency_penalty: {
    isNoOp: (value) => isNullish(value) || value === 0,
    reason: 'DashScope has no frequency penalty (its repetition_penalty works differently); only 0 is accepted.',
  },
  logprobs: { isNoOp: (value) => isNullish(value) || value === false, reason: 'Log probabilities are not supported by this gateway yet.' },
  top_logprobs: { isNoOp: isNullish, reason: 'Log probabilities are not supported by this gateway yet.' },
  logit_bias: { isNoOp: (value) => isNullish(value) || isEmptyObject(value), reason: 'DashScope has no logit bias.' },
  response_format: {
    isNoOp: (value) => isNullish(value) || (typeof value === 'object' && (value as { type?: unknown }).type === 'text'),
    reason: 'Only response_format {"type":"text"} is supported by this gateway yet.',
  },
  modalities: {
    isNoOp: (value) => isNullish(value) || (Array.isArray(value) && value.length === 1 && value[0] === 'text'),
    reason: 'Only text output is supported.',
  },
  audio: { isNoOp: isNullish, reason: 'Audio output is not supported.' },
  prediction: { isNoOp: isNullish, reason: 'Predicted outputs are not supported.' },
  web_search_options: { isNoOp: isNullish, reason: 'Web search is not supported by this gateway yet.' },
  reasoning_effort: { isNoOp: isNullish, reason: 'Reasoning controls are not supported by this gateway yet.' },
  verbosity: { isNoOp: isNullish, reason: 'Verbosity is not supported.' },
  store: { isNoOp: (value) => isNullish(value) || value === false, reason: 'The gateway stores nothing; only store=false is accepted.' },
  metadata: {
    isNoOp: (value) => isNullish(value) || isEmptyObject(value),
    reason: 'Metadata is only meaningful with store=true, which is not supported.',
  },
  service_tier: {
    isNoOp: (value) => isNullish(value) || value === 'auto' || value === 'default',
    reason: "Only service_tier 'auto' or 'default' is accepted.",
  },
};

const unsupportedRoles: Readonly<Record<string, string>> = {
  tool: "Messages with role 'tool' are not supported by this gateway yet (tool calling is not).",
  function: "Messages with role 'function' are not supported by this gateway yet (function calling is not).",
};

const unsupportedMessageFields: Readonly<Record<string, string>> = {
  tool_calls: 'Assistant tool calls are not supported by this gateway yet.',
  function_call: 'Assistant function calls are not supported by this gateway yet.',
  audio: 'Audio messages are not supported.',
};

const unsupportedPartTypes: Readonly<Record<string, string>> = {
  image_url: 'Image inputs are not supported by this gateway yet.',
  input_audio: 'Audio inputs are not supported.',
  file: 'File inputs are not supported.',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Throws a 400 `unsupported_parameter` for OpenAI features the gateway does not translate yet, and
 * returns the body without the no-op ones, ready for the strict schema.
 */
export function rejectUnsupportedParameters(body: Record<string, unknown>): Record<string, unknown> {
  const rest = Object.entries(body).filter(([key, value]) => {
    const rule = lookUp(notYetSupported, key);
    if (rule === undefined) return true;
    if (!rule.isNoOp(value))
      throw invalidRequest(`Unsupported value for '${key}': ${rule.reason}`, { param: key, code: 'unsupported_parameter' });
    return false;
  });
  if (Array.isArray(body.messages)) body.messages.forEach(rejectUnsupportedMessageFeatures);
  // fromEntries keeps a client's "__proto__" key as a plain key, for the strict schema to refuse.
  return Object.fromEntries(rest);
}

/** Own entries only: a client's "constructor" or "toString" must not find Object.prototype's. */
function lookUp<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function rejectUnsupportedMessageFeatures(message: unknown, index: number): void {
  if (!isRecord(message)) return;
  const param = `messages[${index}]`;
  const roleReason = typeof message.role === 'string' ? lookUp(unsupportedRoles, message.role) : undefined;
  if (roleReason !== undefined) throw invalidRequest(roleReason, { param: `${param}.role`, code: 'unsupported_parameter' });
  for (const [field, reason] of Object.entries(unsupportedMessageFields)) {
    if (!isNullish(message[field]) && !isEmptyArray(message[field]))
      throw invalidRequest(reason, { param: `${param}.${field}`, code: 'unsupported_parameter' });
  }
  if (!Array.isArray(message.content)) return;
  message.content.forEach((part: unknown, partIndex) => {
    const reason = isRecord(part) && typeof part.type === 'string' ? lookUp(unsupportedPartTypes, part.type) : undefined;
    if (reason !== undefined) throw invalidRequest(reason, { param: `${param}.content[${partIndex}].type`, code: 'unsupported_parameter' });
  });
}
