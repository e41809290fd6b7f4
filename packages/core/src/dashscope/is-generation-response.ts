import type { DashScopeGenerationResponse } from './generation-response-schema.js';
import { isRecord } from './is-record.js';

/**
 * The same check as `dashScopeGenerationResponseSchema.safeParse(value).success`, written out by hand
 * for the stream path, where it runs on every event: zod builds a copy of every object it checks. A
 * property test holds the two to the same answers.
 */
export function isDashScopeGenerationResponse(value: unknown): value is DashScopeGenerationResponse {
  if (!isRecord(value)) return false;
  const { output, usage } = value;
  return (
    (output === undefined || isOutput(output)) &&
    (usage === undefined || isUsage(usage)) &&
    isOptional(value.request_id, isString) &&
    isOptional(value.code, isString) &&
    isOptional(value.message, isString) &&
    isOptional(value.msg, isString)
  );
}

function isOutput(output: unknown): boolean {
  if (!isRecord(output)) return false;
  const { choices } = output;
  return (
    (choices === undefined || (Array.isArray(choices) && choices.every(isChoice))) &&
    isNullish(output.text, isString) &&
    isNullish(output.finish_reason, isString)
  );
}

function isChoice(choice: unknown): boolean {
  if (!isRecord(choice)) return false;
  const { message } = choice;
  return (
    isOptional(choice.index, isNumber) &&
    isNullish(choice.finish_reason, isString) &&
    (message === undefined ||
      (isRecord(message) &&
        isOptional(message.role, isString) &&
        isNullish(message.content, isContent) &&
        isNullish(message.reasoning_content, isString) &&
        isNullish(message.tool_calls, isToolCalls))) &&
    isNullish(choice.logprobs, isLogprobs)
  );
}

function isToolCalls(toolCalls: unknown): boolean {
  return Array.isArray(toolCalls) && toolCalls.every(isToolCall);
}

function isToolCall(call: unknown): boolean {
  if (!isRecord(call)) return false;
  const fn = call.function;
  return (
    isOptional(call.index, isNumber) &&
    isNullish(call.id, isString) &&
    isNullish(call.type, isString) &&
    isNullish(fn, (value) => isRecord(value) && isNullish(value.name, isString) && isNullish(value.arguments, isString))
  );
}

function isLogprobs(logprobs: unknown): boolean {
  if (!isRecord(logprobs)) return false;
  return isNullish(logprobs.content, (content) => Array.isArray(content) && content.every(isTopTokenLogprob));
}

function isTopTokenLogprob(entry: unknown): boolean {
  return (
    isTokenLogprob(entry) &&
    isNullish((entry as Record<string, unknown>).top_logprobs, (top) => Array.isArray(top) && top.every(isTokenLogprob))
  );
}

function isTokenLogprob(entry: unknown): boolean {
  if (!isRecord(entry)) return false;
  return (
    isString(entry.token) && isNumber(entry.logprob) && isNullish(entry.bytes, (bytes) => Array.isArray(bytes) && bytes.every(isNumber))
  );
}

/** A string for text models, `[{text}]` items for multimodal ones. */
function isContent(content: unknown): boolean {
  return isString(content) || (Array.isArray(content) && content.every((item) => isRecord(item) && isOptional(item.text, isString)));
}

function isUsage(usage: unknown): boolean {
  if (!isRecord(usage)) return false;
  const { prompt_tokens_details: prompt, output_tokens_details: output } = usage;
  return (
    isOptional(usage.input_tokens, isNumber) &&
    isOptional(usage.output_tokens, isNumber) &&
    isOptional(usage.total_tokens, isNumber) &&
    (prompt === undefined || (isRecord(prompt) && isOptional(prompt.cached_tokens, isNumber))) &&
    (output === undefined || (isRecord(output) && isOptional(output.reasoning_tokens, isNumber)))
  );
}

const isString = (value: unknown): boolean => typeof value === 'string';
// zod's number() refuses NaN and the infinities (JSON.parse gives Infinity for 1e400).
const isNumber = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);
const isOptional = (value: unknown, is: (value: unknown) => boolean): boolean => value === undefined || is(value);
const isNullish = (value: unknown, is: (value: unknown) => boolean): boolean => value === undefined || value === null || is(value);
