import type { ChatCompletionRequest } from '../openai/chat-request-schema.js';
import type { ParameterTable } from '../parameters/parameter-table.js';

const isEmptyArray = (value: unknown) => Array.isArray(value) && value.length === 0;
// Own keys, "__proto__" included: a record parsed from JSON keeps that key as an own property.
const isEmptyObject = (value: object) => Reflect.ownKeys(value).length === 0;
const toParameters = (name: string) => ({ action: 'move', to: `parameters.${name}` }) as const;

/**
 * Every OpenAI chat parameter, and every DashScope knob a client may send as an extra body field, one row
 * each: what reaches DashScope's native request, what is dropped, what is refused. The values were
 * validated by the request schema already; nothing is clamped. Rows marked `endpoint` depend on the
 * model or on other fields, so the converter (convert-to-dashscope-request.ts) writes them.
 */
export const chatParameterTable: ParameterTable<ChatCompletionRequest> = {
  model: { action: 'endpoint' },
  messages: { action: 'endpoint' },
  stream: { action: 'endpoint' },
  stream_options: { action: 'endpoint' },
  // Which name caps the output depends on the model (the catalogue's outputLimitParameter).
  max_completion_tokens: { action: 'endpoint' },
  // Sent only when non-empty; tool_choice only with tools.
  tools: { action: 'endpoint' },
  tool_choice: { action: 'endpoint' },
  // Becomes enable_thinking, together with the client's own enable_thinking.
  reasoning_effort: { action: 'endpoint' },
  temperature: toParameters('temperature'),
  top_p: toParameters('top_p'),
  max_tokens: toParameters('max_tokens'),
  stop: toParameters('stop'),
  seed: toParameters('seed'),
  presence_penalty: toParameters('presence_penalty'),
  n: toParameters('n'),
  logprobs: toParameters('logprobs'),
  top_logprobs: toParameters('top_logprobs'),
  response_format: toParameters('response_format'),
  parallel_tool_calls: toParameters('parallel_tool_calls'),
  // OpenAI's web search is DashScope's enable_search; its context size and location have no equivalent.
  // Before enable_search, so that a client's explicit enable_search wins.
  web_search_options: { action: 'convert', to: 'parameters.enable_search', convert: () => true },
  top_k: toParameters('top_k'),
  repetition_penalty: toParameters('repetition_penalty'),
  enable_search: toParameters('enable_search'),
  search_options: toParameters('search_options'),
  enable_thinking: toParameters('enable_thinking'),
  thinking_budget: toParameters('thinking_budget'),
  vl_high_resolution_images: toParameters('vl_high_resolution_images'),
  frequency_penalty: {
    action: 'drop',
    isNoOp: (value) => value === 0,
    reason: 'DashScope has no frequency penalty, and its repetition_penalty works differently (send repetition_penalty to use it).',
  },
  user: { action: 'drop', reason: 'DashScope has no equivalent.' },
  safety_identifier: { action: 'drop', reason: 'DashScope has no equivalent.' },
  prompt_cache_key: { action: 'drop', reason: 'DashScope has no equivalent.' },
  functions: { action: 'refuse', isNoOp: isEmptyArray, reason: "'functions' is deprecated by OpenAI and not translated; send 'tools'." },
  function_call: {
    action: 'refuse',
    isNoOp: (value) => value === 'none',
    reason: "'function_call' is deprecated by OpenAI and not translated; send 'tool_choice'.",
  },
  logit_bias: { action: 'refuse', isNoOp: isEmptyObject, reason: 'DashScope has no logit bias.' },
  modalities: {
    action: 'refuse',
    isNoOp: (value) => value.length === 1 && value[0] === 'text',
    reason: 'Only text output is supported.',
  },
  audio: { action: 'refuse', isNoOp: () => false, reason: 'Audio output is not supported.' },
  prediction: { action: 'refuse', isNoOp: () => false, reason: 'Predicted outputs are not supported.' },
  verbosity: { action: 'refuse', isNoOp: () => false, reason: 'DashScope has no verbosity setting.' },
  store: { action: 'refuse', isNoOp: (value) => value === false, reason: 'The gateway stores nothing; only store=false is accepted.' },
  metadata: { action: 'refuse', isNoOp: isEmptyObject, reason: 'Metadata is only meaningful with store=true, which is not supported.' },
  service_tier: {
    action: 'refuse',
    isNoOp: (value) => value === 'auto' || value === 'default',
    reason: "Only service_tier 'auto' or 'default' is accepted.",
  },
};
