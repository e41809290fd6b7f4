import { z } from 'zod';

/**
 * What the gateway accepts on POST /v1/completions (OpenAI's legacy completions): OpenAI's request body,
 * strictly, plus the DashScope knobs that make sense for plain text. Each prompt is answered as one user
 * message of a chat request, so the shared fields have the chat schema's types and ranges. The legacy-only
 * fields (`echo`, `best_of`, `suffix`, `logprobs`) are typed so that a value the gateway cannot honour is
 * refused by name (completion-parameter-table.ts), not called malformed. Token-array prompts are refused
 * before the schema sees them (reject-unsupported-completion-features.ts).
 */

const stopSchema = z.union([z.string(), z.array(z.string()).min(1).max(4)], {
  error: 'must be a string or an array of 1 to 4 strings',
});

const streamOptionsSchema = z.strictObject({
  include_usage: z.boolean().nullish(),
  include_obfuscation: z.boolean().nullish(),
});

export const completionRequestSchema = z.strictObject({
  model: z.string({ error: 'is required and must be a string' }).min(1, 'must not be empty'),
  prompt: z.union([z.string(), z.array(z.string()).min(1, 'must contain at least one prompt')], {
    error: 'must be a string or an array of strings',
  }),
  stream: z.boolean().nullish(),
  stream_options: streamOptionsSchema.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.int().min(1).nullish(),
  stop: stopSchema.nullish(),
  seed: z.int().nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  n: z.int().min(1).max(128).nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  user: z.string().nullish(),
  // Legacy-only; refused unless a no-op (see completion-parameter-table.ts).
  echo: z.boolean().nullish(),
  best_of: z.int().min(0).max(20).nullish(),
  suffix: z.string().nullish(),
  logprobs: z.int().min(0).max(5).nullish(),
  // DashScope's own knobs, sent by clients as extra body fields; they go to `parameters` unchanged.
  top_k: z.int().min(0).nullish(),
  repetition_penalty: z.number().gt(0).nullish(),
  enable_search: z.boolean().nullish(),
  enable_thinking: z.boolean().nullish(),
  thinking_budget: z.int().min(1).nullish(),
});

export type CompletionRequest = z.infer<typeof completionRequestSchema>;
