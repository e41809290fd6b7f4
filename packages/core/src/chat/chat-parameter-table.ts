import type { ChatCompletionRequest } from '../openai/chat-request-schema.js';
import type { ParameterTable } from '../parameters/parameter-table.js';

const isEmptyArray = (value: unknown) => Array.isArray(value) && value.length === 0;
const isEmptyObject = (value: object) => Object.keys(value).length === 0;
const notYet = (feature: string) => `${feature} is not supported by this gateway yet.`;

/**
 * Every OpenAI chat parameter, one row each: what reaches DashScope's native request, what is dropped,
 * what is refused. The values were validated by the request schema already; nothing is clamped.
 */
export const chatParameterTable: ParameterTable<ChatCompletionRequest> = {
  model: { action: 'endpoint' },
  messages: { action: 'endpoint' },
  stream: { action: 'endpoint' },
  stream_options: { action: 'endpoint' },
  temperature: { action: 'move', to: 'parameters.temperature' },
  top_p: { action: 'move', to: 'parameters.top_p' },
  max_tokens: { action: 'move', to: 'parameters.max_tokens' },
  // DashScope's own max_completion_tokens only exists on newer models; max_tokens is understood by all,
  // including farui-plus, and means the same for models that do not reason. The parser makes sure
  // that both, when sent, agree.
  max_completion_tokens: { action: 'move', to: 'parameters.max_tokens' },
  stop: { action: 'move', to: 'parameters.stop' },
  seed: { action: 'move', to: 'parameters.seed' },
  presence_penalty: { action: 'move', to: 'parameters.presence_penalty' },
  user: { action: 'drop', reason: 'DashScope has no equivalent.' },
  safety_identifier: { action: 'drop', reason: 'DashScope has no equivalent.' },
  prompt_cache_key: { action: 'drop', reason: 'DashScope has no equivalent.' },
  parallel_tool_calls: { action: 'drop', reason: 'it only matters with tools.' },
  tools: { action: 'refuse', isNoOp: isEmptyArray, reason: notYet('Tool calling') },
  tool_choice: { action: 'refuse', isNoOp: (value) => value === 'none', reason: notYet('Tool calling') },
  functions: { action: 'refuse', isNoOp: isEmptyArray, reason: notYet('Function calling') },
  function_call: { action: 'refuse', isNoOp: (value) => value === 'none', reason: notYet('Function calling') },
  n: { action: 'refuse', isNoOp: (value) => value === 1, reason: 'Only n=1 is supported by this gateway yet.' },
  frequency_penalty: {
    action: 'refuse',
    isNoOp: (value) => value === 0,
    reason: 'DashScope has no frequency penalty (its repetition_penalty works differently); only 0 is accepted.',
  },
  logprobs: { action: 'refuse', isNoOp: (value) => value === false, reason: notYet('Log probabilities') },
  top_logprobs: { action: 'refuse', isNoOp: () => false, reason: notYet('Log probabilities') },
  logit_bias: { action: 'refuse', isNoOp: isEmptyObject, reason: 'DashScope has no logit bias.' },
  response_format: {
    action: 'refuse',
    isNoOp: (value) => value.type === 'text',
    reason: 'Only response_format {"type":"text"} is supported by this gateway yet.',
  },
  modalities: {
    action: 'refuse',
    isNoOp: (value) => value.length === 1 && value[0] === 'text',
    reason: 'Only text output is supported.',
  },
  audio: { action: 'refuse', isNoOp: () => false, reason: 'Audio output is not supported.' },
  prediction: { action: 'refuse', isNoOp: () => false, reason: 'Predicted outputs are not supported.' },
  web_search_options: { action: 'refuse', isNoOp: () => false, reason: notYet('Web search') },
  reasoning_effort: { action: 'refuse', isNoOp: () => false, reason: notYet('Reasoning control') },
  verbosity: { action: 'refuse', isNoOp: () => false, reason: 'Verbosity is not supported.' },
  store: { action: 'refuse', isNoOp: (value) => value === false, reason: 'The gateway stores nothing; only store=false is accepted.' },
  metadata: { action: 'refuse', isNoOp: isEmptyObject, reason: 'Metadata is only meaningful with store=true, which is not supported.' },
  service_tier: {
    action: 'refuse',
    isNoOp: (value) => value === 'auto' || value === 'default',
    reason: "Only service_tier 'auto' or 'default' is accepted.",
  },
};
