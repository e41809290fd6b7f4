import { invalidRequest } from '../errors/gateway-error.js';
import { isRecord } from '../dashscope/is-record.js';

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

/** Own entries only: a client's "constructor" or "toString" must not find Object.prototype's. */
function lookUp(table: Readonly<Record<string, string>>, key: unknown): string | undefined {
  return typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * Message features the gateway does not translate yet (tool turns, images) get a 400
 * `unsupported_parameter` naming the message, before the strict schema would call them unknown.
 */
export function rejectUnsupportedMessageFeatures(messages: unknown): void {
  if (!Array.isArray(messages)) return;
  messages.forEach((message: unknown, index) => {
    if (!isRecord(message)) return;
    const param = `messages[${index}]`;
    const roleReason = lookUp(unsupportedRoles, message.role);
    if (roleReason !== undefined) throw invalidRequest(roleReason, { param: `${param}.role`, code: 'unsupported_parameter' });
    for (const [field, reason] of Object.entries(unsupportedMessageFields)) {
      const value = message[field];
      if (value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0))
        throw invalidRequest(reason, { param: `${param}.${field}`, code: 'unsupported_parameter' });
    }
    if (!Array.isArray(message.content)) return;
    message.content.forEach((part: unknown, partIndex) => {
      const reason = isRecord(part) ? lookUp(unsupportedPartTypes, part.type) : undefined;
      if (reason !== undefined)
        throw invalidRequest(reason, { param: `${param}.content[${partIndex}].type`, code: 'unsupported_parameter' });
    });
  });
}
