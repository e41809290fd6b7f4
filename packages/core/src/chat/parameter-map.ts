import type { ChatCompletionRequest } from '../openai/chat-request-schema.js';
import type { DashScopeParameters } from '../dashscope/text-generation-request.js';

type MovableParameter = Exclude<keyof DashScopeParameters, 'result_format' | 'incremental_output'>;

/** OpenAI parameters that move to DashScope's `parameters` unchanged (values already validated). */
export const chatParameterMap: ReadonlyArray<{ openai: keyof ChatCompletionRequest; dashscope: MovableParameter }> = [
  { openai: 'temperature', dashscope: 'temperature' },
  { openai: 'top_p', dashscope: 'top_p' },
  { openai: 'max_tokens', dashscope: 'max_tokens' },
  // DashScope's own max_completion_tokens only exists on newer models; max_tokens is understood by all,
  // including farui-plus, and means the same for models that do not reason.
  { openai: 'max_completion_tokens', dashscope: 'max_tokens' },
  { openai: 'stop', dashscope: 'stop' },
  { openai: 'seed', dashscope: 'seed' },
  { openai: 'presence_penalty', dashscope: 'presence_penalty' },
];
