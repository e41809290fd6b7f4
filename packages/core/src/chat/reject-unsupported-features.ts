import { invalidRequest } from '../errors/gateway-error.js';
import { isRecord } from '../dashscope/is-record.js';

const unsupportedRoles: Readonly<Record<string, string>> = {
  function: "Messages with role 'function' are deprecated by OpenAI and not translated; send 'tool' messages.",
};

const unsupportedMessageFields: Readonly<Record<string, string>> = {
  function_call: "Assistant 'function_call' is deprecated by OpenAI and not translated; send 'tool_calls'.",
  audio: 'Audio output is not supported, so there is no earlier audio answer to refer to.',
};

const unsupportedPartTypes: Readonly<Record<string, string>> = {
  file: 'File inputs are not supported: DashScope takes images, audio and video, not files.',
};

/** Own entries only: a client's "constructor" or "toString" must not find Object.prototype's. */
function lookUp(table: Readonly<Record<string, string>>, key: unknown): string | undefined {
  return typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined;
}

const unsupported = (message: string, param: string) => invalidRequest(message, { param, code: 'unsupported_parameter' });

/**
 * OpenAI features the gateway does not translate (deprecated function calling, file parts, custom and
 * allowed-tools tool kinds) get a 400 `unsupported_parameter` naming the field, before the strict schema
 * would call them unknown or malformed.
 */
export function rejectUnsupportedFeatures(body: Record<string, unknown>): void {
  rejectUnsupportedMessageFeatures(body.messages);
  rejectLogitBias(body);
  if (isRecord(body.metadata) && Reflect.ownKeys(body.metadata).length > 0)
    throw unsupported("Unsupported value for 'metadata': Metadata is only meaningful with store=true, which is not supported.", 'metadata');
  if (Array.isArray(body.tools)) {
    body.tools.forEach((tool: unknown, index) => {
      if (isRecord(tool) && typeof tool.type === 'string' && tool.type !== 'function')
        throw unsupported(`Tools of type '${tool.type}' are not supported: DashScope calls functions only.`, `tools[${index}].type`);
    });
  }
  const choice = body.tool_choice;
  if (isRecord(choice) && typeof choice.type === 'string' && choice.type !== 'function')
    throw unsupported(
      `tool_choice of type '${choice.type}' is not supported: DashScope takes "auto", "none" or one named function.`,
      'tool_choice',
    );
  if (choice === 'required')
    throw unsupported(
      'tool_choice "required" has no DashScope equivalent: DashScope takes "auto", "none" or one named function. Name the function to force a call.',
      'tool_choice',
    );
}

/**
 * A non-empty `logit_bias` (chat and legacy completions): DashScope has none. Judged on the raw body,
 * because a parsed record loses a "__proto__" key and would pass as empty, a no-op.
 */
export function rejectLogitBias(body: Record<string, unknown>): void {
  if (isRecord(body.logit_bias) && Reflect.ownKeys(body.logit_bias).length > 0)
    throw unsupported("Unsupported value for 'logit_bias': DashScope has no logit bias.", 'logit_bias');
}

function rejectUnsupportedMessageFeatures(messages: unknown): void {
  if (!Array.isArray(messages)) return;
  messages.forEach((message: unknown, index) => {
    if (!isRecord(message)) return;
    const param = `messages[${index}]`;
    const roleReason = lookUp(unsupportedRoles, message.role);
    if (roleReason !== undefined) throw unsupported(roleReason, `${param}.role`);
    for (const [field, reason] of Object.entries(unsupportedMessageFields)) {
      const value = message[field];
      if (value !== null && value !== undefined) throw unsupported(reason, `${param}.${field}`);
    }
    if (!Array.isArray(message.content)) return;
    message.content.forEach((part: unknown, partIndex) => {
      const reason = isRecord(part) ? lookUp(unsupportedPartTypes, part.type) : undefined;
      if (reason !== undefined) throw unsupported(reason, `${param}.content[${partIndex}].type`);
    });
  });
}
