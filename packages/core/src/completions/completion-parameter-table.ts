import type { ParameterTable } from '../parameters/parameter-table.js';
import type { CompletionRequest } from './completion-request-schema.js';

// Rows marked `chat` go unchanged into the chat request each prompt becomes, and the chat parameter
// table decides their fate there (moved, dropped with its warning, refused), so the two endpoints
// cannot drift apart.
const chat = { action: 'endpoint' } as const;

/**
 * Every parameter of a legacy completion request, one row each. Only the legacy-only fields are judged
 * here: DashScope's chat call has nothing to give them, so any value but a no-op is refused by name.
 */
export const completionParameterTable: ParameterTable<CompletionRequest> = {
  model: chat,
  // Each prompt becomes the one user message of a chat request (to-chat-completion-requests.ts).
  prompt: { action: 'endpoint' },
  stream: chat,
  stream_options: chat,
  temperature: chat,
  top_p: chat,
  max_tokens: chat,
  stop: chat,
  seed: chat,
  presence_penalty: chat,
  frequency_penalty: chat,
  n: chat,
  logit_bias: chat,
  user: chat,
  top_k: chat,
  repetition_penalty: chat,
  enable_search: chat,
  enable_thinking: chat,
  thinking_budget: chat,
  echo: {
    action: 'refuse',
    isNoOp: (value) => value === false,
    reason: 'DashScope does not return the prompt with the answer; only echo=false is accepted.',
  },
  best_of: {
    action: 'refuse',
    isNoOp: (value) => value === 1,
    reason: "DashScope cannot rank candidate answers; only best_of=1 is accepted (send 'n' for several answers).",
  },
  suffix: {
    action: 'refuse',
    isNoOp: (value) => value === '',
    reason: 'DashScope has no insertion mode; only an empty suffix is accepted.',
  },
  logprobs: {
    action: 'refuse',
    isNoOp: () => false,
    reason: "Legacy log probabilities are not translated; use /v1/chat/completions with 'logprobs' and 'top_logprobs'.",
  },
};
